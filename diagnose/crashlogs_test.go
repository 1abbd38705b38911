package diagnose

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Log excerpts as posted in public issues (testdata/logs) or as the
// runtimes and libraries print them.
var crashLogCases = []struct {
	name  string
	file  string // in testdata/logs, or
	text  string
	sig   string
	cause string   // the whole cause
	quote []string // substrings of the quoted lines, in order
	facts map[string]string
}{
	{
		name: "entrypoint whose interpreter is missing", text: "exec /usr/local/bin/docker-entrypoint.sh: no such file or directory\n", sig: "interpreter-missing",
		cause: "cannot execute /usr/local/bin/docker-entrypoint.sh: it or its #! interpreter is missing", facts: map[string]string{"path": "/usr/local/bin/docker-entrypoint.sh"},
	},
	{
		name: "runc of docker era, missing interpreter", text: "standard_init_linux.go:228: exec user process caused: no such file or directory\n", sig: "interpreter-missing",
		cause: "cannot execute the program: it or its #! interpreter is missing",
	},
	{
		name: "script with Windows line endings", text: "env: 'bash\\r': No such file or directory\n", sig: "interpreter-missing",
		cause: `script has Windows line endings: no interpreter bash\r`,
	},
	{
		name: "node heap out of memory", sig: "js-heap-oom", cause: "Node.js: JavaScript heap out of memory",
		text:  "<--- Last few GCs --->\n[1:0x5f0b3c0]   123456 ms: Mark-sweep 2046.9 (2083.6) -> 2045.2 (2083.8) MB, 1500.2 / 0.0 ms  (average mu = 0.123, current mu = 0.010) allocation failure; scavenge might not succeed\n\n<--- JS stacktrace --->\n\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n 1: 0xb09c10 node::Abort() [node]\n",
		quote: []string{"FATAL ERROR: Reached heap limit"},
	},
	{
		name: "python reads a config that is a directory", sig: "is-a-directory", cause: "a directory where a file was expected: /config/config.yml",
		text:  "Traceback (most recent call last):\n  File \"/usr/local/go2rtc/create_config.py\", line 18, in <module>\n    with open(config_file) as f:\nIsADirectoryError: [Errno 21] Is a directory: '/config/config.yml'\n",
		quote: []string{`File "/usr/local/go2rtc/create_config.py", line 18`, "IsADirectoryError"}, facts: map[string]string{"path": "/config/config.yml"},
	},
	{
		name: "go reads a config that is a directory", text: "2026/05/01 11:57:12 failed to load config: read /etc/app/config.yaml: is a directory\n", sig: "is-a-directory",
		cause: "a directory where a file was expected: /etc/app/config.yaml",
	},
	{
		name: "postgres password refused", sig: "db-auth", cause: "database login refused for user app",
		text: "Traceback (most recent call last):\n  File \"/app/main.py\", line 9, in <module>\n    conn = psycopg2.connect(DSN)\npsycopg2.OperationalError: connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  password authentication failed for user \"app\"\n",
	},
	{
		name: "mysql access denied", text: "ERROR 1045 (28000): Access denied for user 'root'@'10.244.0.12' (using password: YES)\n", sig: "db-auth",
		cause: "database login refused for user root",
	},
	{
		name: "go flag not defined", text: "flag provided but not defined: -listen\nUsage of /app/server:\n  -addr string\n    \tlisten address (default \":8080\")\n", sig: "bad-flag",
		cause: "unknown command-line flag -listen",
	},
	{
		name: "cobra unknown flag", text: "Error: unknown flag: --metrics-bind-addr\nUsage:\n  manager [flags]\n", sig: "bad-flag",
		cause: "unknown command-line flag --metrics-bind-addr",
	},
	{
		name: "nginx under readOnlyRootFilesystem", text: "2026/05/01 11:57:12 [emerg] 1#1: mkdir() \"/var/cache/nginx/client_temp\" failed (30: Read-only file system)\nnginx: [emerg] mkdir() \"/var/cache/nginx/client_temp\" failed (30: Read-only file system)\n", sig: "read-only-fs",
		cause: "read-only file system: /var/cache/nginx/client_temp", facts: map[string]string{"dir": "/var/cache/nginx"},
	},
	{
		name: "go writes to a read-only root", text: "level=fatal msg=\"cannot create cache\" err=\"mkdir /app/cache: read-only file system\"\n", sig: "read-only-fs",
		cause: "read-only file system: /app/cache",
	},
	{
		name: "python writes to a read-only root", text: "Traceback (most recent call last):\n  File \"/app/main.py\", line 4, in <module>\n    os.makedirs(\"/app/.cache\")\nOSError: [Errno 30] Read-only file system: '/app/.cache'\n", sig: "read-only-fs",
		cause: "read-only file system: /app/.cache",
	},
	{
		name: "nginx non-root on port 80", text: "nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)\n", sig: "privileged-port",
		cause: "cannot listen on port 80 without root", facts: map[string]string{"port": "80"},
	},
	{
		name: "node non-root on port 80", text: "Error: listen EACCES: permission denied 0.0.0.0:80\n    at Server.setupListenHandle [as _listen2] (node:net:1855:21)\n", sig: "privileged-port",
		cause: "cannot listen on port 80 without root",
	},
	{
		name: "go non-root on port 443", text: "2026/05/01 11:57:12 listen tcp :443: bind: permission denied\n", sig: "privileged-port",
		cause: "cannot listen on port 443 without root",
	},
	{
		name: "nginx upstream that does not resolve", text: "2026/05/01 11:57:12 [emerg] 1#1: host not found in upstream \"backend:8080\" in /etc/nginx/conf.d/default.conf:5\nnginx: [emerg] host not found in upstream \"backend:8080\" in /etc/nginx/conf.d/default.conf:5\n", sig: "dns-failure",
		cause: "DNS lookup failed for backend", facts: map[string]string{"service": "backend"},
	},
	{
		name: "nginx cannot create its temp dir", text: "nginx: [emerg] mkdir() \"/var/cache/nginx/client_temp\" failed (13: Permission denied)\n", sig: "permission-denied",
		cause: "permission denied: /var/cache/nginx/client_temp",
	},
	{
		name: "go nil dereference", file: "go-panic-nil.txt", sig: "go-panic",
		cause: "Go panic: nil pointer dereference in portworx.(*portworx).InspectVolume",
		quote: []string{"panic: runtime error: invalid memory address or nil pointer dereference", "goroutine 29 [running]:", "(*portworx).InspectVolume(", "portworx.go:100"},
	},
	{
		name: "go panic recovered and re-panicked", file: "go-panic-recovered.txt", sig: "go-panic",
		cause: "Go panic: nil pointer dereference in medusa.(*MedusaBackupJobReconciler).createMedusaBackup",
		quote: []string{"panic: runtime error: invalid memory address or nil pointer dereference [recovered]", "goroutine 597 [running]:", "createMedusaBackup(", "medusabackupjob_controller.go:287"},
	},
	{
		name: "go panic beats earlier connection refused", file: "go-retry-then-panic.txt", sig: "go-panic",
		cause: "Go panic: nil pointer dereference in main.(*Server).Start",
		quote: []string{"panic: runtime error", "goroutine 1 [running]:", "main.(*Server).Start(0x0)", "server.go:58"},
	},
	{
		name: "go plain panic", text: "starting\npanic: config: listen address must not be empty\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:14 +0x65\n", sig: "go-panic",
		cause: "Go panic: config: listen address must not be empty in main.main", quote: []string{"panic: config: listen address", "goroutine 1", "main.main()", "main.go:14"},
	},
	{
		name: "go fatal error", file: "go-fatal.txt", sig: "go-panic",
		cause: "Go fatal error: concurrent map writes in main.(*Cache).Set", quote: []string{"fatal error: concurrent map writes", "goroutine 58", "main.(*Cache).Set(...)", "cache.go:42"},
	},
	{
		name: "go log.Panic of a dial error", text: "panic: dial tcp 10.0.0.5:5432: connect: connection refused\n\ngoroutine 1 [running]:\nlog.Panic({0xc000119f08?, 0x1?, 0x1?})\n\t/usr/local/go/src/log/log.go:432 +0x65\nmain.main()\n\t/app/main.go:20 +0x8c\n", sig: "connection-refused",
		cause: "connection refused to 10.0.0.5:5432", quote: []string{"panic: dial tcp 10.0.0.5:5432", "goroutine 1", "log.Panic("}, facts: map[string]string{"host": "10.0.0.5", "port": "5432"},
	},
	{
		name: "java OutOfMemoryError", file: "java-oom.txt", sig: "java-oom",
		cause: "Java OutOfMemoryError: Java heap space", quote: []string{`Exception in thread "main" java.lang.OutOfMemoryError: Java heap space`, "at java.base/java.util.Arrays.copyOf"},
	},
	{
		name: "java exception", file: "java-exception.txt", sig: "java-exception",
		cause: "Java exception: java.lang.IllegalArgumentException: Invalid port number: -1", quote: []string{`Exception in thread "main" java.lang.IllegalArgumentException`, "at com.example.server.Config.port(Config.java:41)"},
	},
	{
		name: "java caused by connection refused", file: "java-caused-by.txt", sig: "connection-refused",
		cause: "connection refused", quote: []string{"Caused by: java.net.ConnectException: Connection refused", "at java.base/sun.nio.ch.Net.pollConnect"},
	},
	{
		name: "java PSQLException names the host", text: "Caused by: org.postgresql.util.PSQLException: Connection to db:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:319)\n", sig: "connection-refused",
		cause: "connection refused to db:5432", quote: []string{"PSQLException: Connection to db:5432 refused", "at org.postgresql"}, facts: map[string]string{"host": "db", "port": "5432", "service": "db"},
	},
	{
		name: "java unknown host", text: "Exception in thread \"main\" java.net.UnknownHostException: kafka-broker.shop.svc.cluster.local\n\tat java.base/java.net.InetAddress.getAllByName0(InetAddress.java:1305)\n", sig: "dns-failure",
		cause: "DNS lookup failed for kafka-broker.shop.svc.cluster.local", facts: map[string]string{"host": "kafka-broker.shop.svc.cluster.local", "service": "kafka-broker"},
	},
	{
		name: "python ModuleNotFoundError", file: "python-module.txt", sig: "module-not-found",
		cause: "Python: ModuleNotFoundError: No module named 'flask'", quote: []string{`File "/app/main.py", line 3`, "ModuleNotFoundError: No module named 'flask'"}, facts: map[string]string{"module": "flask"},
	},
	{
		name: "python KeyError of os.environ", file: "python-keyerror-env.txt", sig: "missing-env",
		cause: "missing environment variable DATABASE_URL", quote: []string{`File "<frozen os>", line 679`, "KeyError: 'DATABASE_URL'"}, facts: map[string]string{"envvar": "DATABASE_URL"},
	},
	{
		name: "python FileNotFoundError", file: "python-file.txt", sig: "file-not-found",
		cause: "config file not found /etc/app/config.yaml", quote: []string{`File "/app/server.py", line 12`, "FileNotFoundError: [Errno 2]"}, facts: map[string]string{"path": "/etc/app/config.yaml", "dir": "/etc/app"},
	},
	{
		name: "python traceback", file: "python-traceback.txt", sig: "python-traceback",
		cause: "Python: ValueError: invalid literal for int() with base 10: 'ten'", quote: []string{`File "/app/worker.py", line 80, in main`, "ValueError: invalid literal"},
	},
	{
		name: "python DNS failure", file: "python-dns.txt", sig: "dns-failure",
		cause: "DNS lookup failed for postgres-primary", quote: []string{`File "/usr/local/lib/python3.11/site-packages/psycopg2/__init__.py"`, "psycopg2.OperationalError: could not translate host name"}, facts: map[string]string{"host": "postgres-primary", "service": "postgres-primary"},
	},
	{
		name: "django migration not applied", file: "django-migration.txt", sig: "migration-failed",
		cause: `database migration failed: django.db.utils.ProgrammingError: relation "shop_order" does not exist`, quote: []string{`File "/usr/local/lib/python3.11/site-packages/django/db/backends/utils.py"`, "django.db.utils.ProgrammingError"},
	},
	{
		name: "node Cannot find module", file: "node-module.txt", sig: "module-not-found",
		cause: "Node.js: Cannot find module 'express'", quote: []string{"Error: Cannot find module 'express'", "- /app/server.js"}, facts: map[string]string{"module": "express"},
	},
	{
		name: "node EADDRINUSE", file: "node-eaddrinuse.txt", sig: "address-in-use",
		cause: "address already in use :3000", quote: []string{"Error: listen EADDRINUSE: address already in use :::3000"}, facts: map[string]string{"port": "3000"},
	},
	{
		name: "go bind address in use", text: "2024/05/02 10:11:12 listen tcp :8080: bind: address already in use\n", sig: "address-in-use",
		cause: "address already in use :8080", facts: map[string]string{"port": "8080"},
	},
	{
		name: "exec format error", text: "exec /app/server: exec format error\n", sig: "exec-format",
		cause: "exec format error (binary for another CPU architecture)", quote: []string{"exec /app/server: exec format error"}, facts: map[string]string{"path": "/app/server"},
	},
	{
		name: "runc exec format error", text: "standard_init_linux.go:228: exec user process caused: exec format error\n", sig: "exec-format",
		cause: "exec format error (binary for another CPU architecture)",
	},
	{
		name: "permission denied (busybox mkdir)", file: "grafana-permission.txt", sig: "permission-denied",
		cause: "permission denied: /var/lib/grafana/plugins", quote: []string{"mkdir: can't create directory '/var/lib/grafana/plugins': Permission denied"}, facts: map[string]string{"path": "/var/lib/grafana/plugins"},
	},
	{
		name: "permission denied (go open)", text: `level=fatal msg="cannot open database" err="open /data/app.db: permission denied"` + "\n", sig: "permission-denied",
		cause: "permission denied: /data/app.db", facts: map[string]string{"path": "/data/app.db"},
	},
	{
		name: "dial DNS failure", text: "2024/05/02 10:11:12 failed to connect to database: dial tcp: lookup postgres on 10.96.0.10:53: no such host\n", sig: "dns-failure",
		cause: "DNS lookup failed for postgres", facts: map[string]string{"host": "postgres", "service": "postgres"},
	},
	{
		name: "node ENOTFOUND", text: "Error: getaddrinfo ENOTFOUND db\n    at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:107:26)\n", sig: "dns-failure",
		cause: "DNS lookup failed for db", facts: map[string]string{"host": "db", "service": "db"},
	},
	{
		name: "psql could not translate host", text: `psql: could not translate host name "lake-sql-postgresql-0.lake-sql-postgresql-headless.default.svc.cluster.local" to address: Name or service not known` + "\n", sig: "dns-failure",
		cause: "DNS lookup failed for lake-sql-postgresql-0.lake-sql-postgresql-headless.default.svc.cluster.local", facts: map[string]string{"service": "lake-sql-postgresql-0"},
	},
	{
		name: "go dial connection refused", text: "2024/05/02 10:11:12 dial tcp 10.0.0.5:5432: connect: connection refused\n", sig: "connection-refused",
		cause: "connection refused to 10.0.0.5:5432", facts: map[string]string{"host": "10.0.0.5", "port": "5432"},
	},
	{
		name: "node ECONNREFUSED", text: "Error: connect ECONNREFUSED 127.0.0.1:6379\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n", sig: "connection-refused",
		cause: "connection refused to 127.0.0.1:6379", facts: map[string]string{"host": "127.0.0.1", "port": "6379"},
	},
	{
		name: "psql connection refused names the host on the next line", text: "psql: error: could not connect to server: Connection refused\n\tIs the server running on host \"db\" (10.0.0.3) and accepting\n\tTCP/IP connections on port 5432?\n", sig: "connection-refused",
		cause: "connection refused",
	},
	{
		name: "psql 14 connection refused", text: `psql: error: connection to server at "sridhar-ha-postgresql-0.sridhar-ha-postgresql-headless.sridhar.svc.cluster.local" (10.1.17.89), port 5432 failed: Connection refused` + "\n", sig: "connection-refused",
		cause: "connection refused to sridhar-ha-postgresql-0.sridhar-ha-postgresql-headless.sridhar.svc.cluster.local:5432", facts: map[string]string{"port": "5432", "service": "sridhar-ha-postgresql-0"},
	},
	{
		name: "envconfig required key", text: "2024/05/02 10:11:12 envconfig: required key DATABASE_URL missing value\n", sig: "missing-env",
		cause: "missing environment variable DATABASE_URL", facts: map[string]string{"envvar": "DATABASE_URL"},
	},
	{
		name: "environment variable not set", text: "FATAL: environment variable STRIPE_API_KEY is not set\n", sig: "missing-env",
		cause: "missing environment variable STRIPE_API_KEY", facts: map[string]string{"envvar": "STRIPE_API_KEY"},
	},
	{
		name: "go config file missing", text: `{"level":"fatal","msg":"load config","error":"open /etc/app/config.yaml: no such file or directory"}` + "\n", sig: "file-not-found",
		cause: "config file not found /etc/app/config.yaml", facts: map[string]string{"path": "/etc/app/config.yaml"},
	},
	{
		name: "golang-migrate dirty database", file: "migrate-dirty.txt", sig: "migration-failed",
		cause: "database migration failed: Dirty database version 30", quote: []string{"[FATAL] [/core/main.go:183]: failed to migrate: Dirty database version 30."},
	},
	{
		name: "flyway", text: "org.flywaydb.core.api.FlywayException: Validate failed: Migration checksum mismatch for migration version 3\n\tat org.flywaydb.core.Flyway.migrate(Flyway.java:173)\n", sig: "migration-failed",
		cause: "database migration failed", quote: []string{"FlywayException: Validate failed", "at org.flywaydb.core.Flyway.migrate"},
	},
	{
		name: "rails pending migration", text: "/usr/local/bundle/gems/activerecord-7.0.4/lib/active_record/migration.rb:636:in `check_pending!': Migrations are pending. To resolve this issue, run: bin/rails db:migrate RAILS_ENV=production (ActiveRecord::PendingMigrationError)\n", sig: "migration-failed",
		cause: "database migration failed",
	},
}

func TestCrashCauseOf(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range crashLogCases {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.text
			if tc.file != "" {
				b, err := os.ReadFile(filepath.Join("testdata", "logs", tc.file))
				if err != nil {
					t.Fatal(err)
				}
				text = string(b)
			}
			c, ok := CrashCauseOf(text)
			if !ok {
				t.Fatalf("no cause found")
			}
			seen[c.Signature] = true
			if c.Signature != tc.sig || c.Cause != tc.cause {
				t.Errorf("got %s %q, want %s %q", c.Signature, c.Cause, tc.sig, tc.cause)
			}
			if len(tc.quote) > len(c.Lines) {
				t.Fatalf("quoted %d lines %v, want %d", len(c.Lines), c.Lines, len(tc.quote))
			}
			for i, q := range tc.quote {
				if !strings.Contains(c.Lines[i].Text, q) {
					t.Errorf("quote %d = %q, want it to hold %q", i, c.Lines[i].Text, q)
				}
			}
			for k, v := range tc.facts {
				if c.Facts[k] != v {
					t.Errorf("fact %s = %q, want %q (facts %v)", k, c.Facts[k], v, c.Facts)
				}
			}
		})
	}
	for _, s := range logSignatures {
		if !seen[s.Name] {
			t.Errorf("signature %s has no case", s.Name)
		}
	}
}

func TestCrashCauseOfIgnoresOrdinaryErrors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "logs", "healthy.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := CrashCauseOf(string(b)); ok {
		t.Fatalf("found %s %q in a healthy log", c.Signature, c.Cause)
	}
	if _, ok := CrashCauseOf(""); ok {
		t.Fatal("found a cause in an empty log")
	}
}

func TestCrashCauseOfBoundsAndCleans(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	log := huge + "\n\x1b]52;c;ZXZpbA==\x07\x1b[2J" + "panic: boom \x1b[31m" + huge + "\n"
	c, ok := CrashCauseOf(log)
	if !ok {
		// The panic line is longer than MaxLogBytes: its start is cut away,
		// so nothing may be found, but nothing may come out unbounded either.
		c, ok = CrashCauseOf("\x1b]52;c;ZXZpbA==\x07\x1b[2Jpanic: boom \x1b[31m" + strings.Repeat("y", 5000) + "\n")
		if !ok {
			t.Fatal("no cause in a log with escape sequences")
		}
	}
	if len(c.Cause) > 4*maxCause || len(c.Lines) == 0 {
		t.Fatalf("cause not bounded: %d bytes, %d lines", len(c.Cause), len(c.Lines))
	}
	for _, l := range c.Lines {
		if strings.ContainsAny(l.Text, "\x1b\x07") || len([]rune(l.Text)) > maxQuote {
			t.Errorf("quote not cleaned or bounded: %q", l.Text[:min(len(l.Text), 80)])
		}
	}
	if strings.ContainsAny(c.Cause, "\x1b\x07") {
		t.Errorf("cause not cleaned: %q", c.Cause)
	}
	// Only the last MaxLogLines lines count.
	many := "panic: early\n" + strings.Repeat("ok\n", MaxLogLines)
	if c, ok := CrashCauseOf(many); ok {
		t.Errorf("read past the last %d lines: %q", MaxLogLines, c.Cause)
	}
}

// Random input must never panic the reader, and what it quotes stays bounded.
func TestCrashCauseOfRandomInput(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pieces := []string{
		"panic: ", "goroutine 1 [running]:\n", "Traceback (most recent call last):\n", "  File \"x\", line 1\n", "Caused by: a.B", "Exception\n",
		"\tat x\n", "\n", " ", "\x1b[", "\xff", "connection refused", "dial tcp ", ":", "lookup ", "Error: Cannot find module '", "'", "KeyError: '", "panic(", "()\n",
	}
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for j := rng.Intn(40); j > 0; j-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		c, ok := CrashCauseOf(b.String())
		if !ok {
			continue
		}
		if c.Cause == "" || len(c.Lines) == 0 || len(c.Lines) > maxQuotes {
			t.Fatalf("bad cause %+v from %q", c, b.String())
		}
		for _, l := range c.Lines {
			if l.N < 1 || l.N > c.Total {
				t.Fatalf("line %d of %d from %q", l.N, c.Total, b.String())
			}
		}
	}
}

func FuzzCrashLogs(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "logs", "*.txt"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, log string) {
		c, ok := CrashCauseOf(log)
		if !ok {
			return
		}
		if c.Cause == "" || len(c.Lines) > maxQuotes || len([]rune(c.Cause)) > maxCause {
			t.Fatalf("bad cause %+v", c)
		}
		for _, l := range c.Lines {
			if strings.ContainsRune(l.Text, '\x1b') || len([]rune(l.Text)) > maxQuote {
				t.Fatalf("quote not cleaned or bounded: %q", l.Text)
			}
		}
	})
}

// crashPod is a pod whose container app crash-loops with exit code 2.
func crashPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "api-7d9c5-x2k4p", Namespace: "shop"},
		Spec:       corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{{Name: "app", Image: "ghcr.io/shop/api:1.4"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
			Name: "app", RestartCount: 5,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 2m40s restarting failed container=app pod=api-7d9c5-x2k4p_shop(1234)"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				Reason: "Error", ExitCode: 2, FinishedAt: metav1.NewTime(testNow.Add(-time.Minute)),
			}},
		}}},
	}
}

func TestDiagnoseQuotesCrashCause(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "logs", "go-retry-then-panic.txt"))
	if err != nil {
		t.Fatal(err)
	}
	plain := Diagnose(Input{Pod: crashPod(), Now: testNow})
	fs := Diagnose(Input{Pod: crashPod(), Now: testNow, Logs: map[string]ContainerLogs{"app": {Previous: string(b)}}})
	if len(fs) == 0 || len(plain) == 0 || fs[0].Rule != "crash/exit-error" {
		t.Fatalf("want crash/exit-error, got %v", fs)
	}
	f := fs[0]
	if want := plain[0].Summary + ": Go panic: nil pointer dereference in main.(*Server).Start"; f.Summary != want {
		t.Errorf("summary %q, want %q", f.Summary, want)
	}
	ev := strings.Join(f.Evidence, "\n")
	for _, want := range []string{
		"previous logs (line 4 of 11): panic: runtime error: invalid memory address or nil pointer dereference",
		"previous logs (line 7 of 11): goroutine 1 [running]:",
		"previous logs (line 8 of 11): main.(*Server).Start(0x0)",
		"previous logs (line 9 of 11): /src/cmd/api/server.go:58 +0x2e",
	} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence lacks %q:\n%s", want, ev)
		}
	}
	if !strings.HasPrefix(f.Explanation, "The Go program panicked") {
		t.Errorf("explanation %q", f.Explanation)
	}
}

func TestDiagnoseCrashCauseNextCommands(t *testing.T) {
	cases := []struct {
		log  string
		want []string
	}{
		{"dial tcp: lookup postgres on 10.96.0.10:53: no such host\n", []string{
			"kubectl run -it --rm dnstest --image=busybox:1.36 -n shop --restart=Never -- nslookup postgres",
			"kubectl get svc postgres -n shop",
		}},
		{"dial tcp db:5432: connect: connection refused\n", []string{
			"kubectl get svc,endpointslices -n shop",
			"kubectl get endpointslices -n shop -l kubernetes.io/service-name=db",
		}},
		{"exec /app/server: exec format error\n", []string{
			"kubectl get node node-a -L kubernetes.io/arch",
			"docker manifest inspect ghcr.io/shop/api:1.4",
		}},
		{"envconfig: required key DATABASE_URL missing value\n", []string{
			`.env[?(@.name=="DATABASE_URL")]`,
		}},
		{"open /etc/app/config.yaml: no such file or directory\n", []string{
			"ls -la /etc/app",
		}},
	}
	for _, tc := range cases {
		fs := Diagnose(Input{Pod: crashPod(), Now: testNow, Logs: map[string]ContainerLogs{"app": {Previous: tc.log}}})
		next := strings.Join(fs[0].Next, "\n")
		for _, w := range tc.want {
			if !strings.Contains(next, w) {
				t.Errorf("%q: next lacks %q:\n%s", tc.log, w, next)
			}
		}
		if !strings.Contains(next, "--previous") {
			t.Errorf("%q: the rule's own commands were lost:\n%s", tc.log, next)
		}
	}
}

func TestDiagnoseHealthyLogsAddNothing(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "logs", "healthy.txt"))
	if err != nil {
		t.Fatal(err)
	}
	plain := Diagnose(Input{Pod: crashPod(), Now: testNow})
	got := Diagnose(Input{Pod: crashPod(), Now: testNow, Logs: map[string]ContainerLogs{"app": {Previous: string(b), Current: string(b)}}})
	if len(got) != len(plain) || got[0].Summary != plain[0].Summary || len(got[0].Evidence) != len(plain[0].Evidence) || len(got[0].Next) != len(plain[0].Next) {
		t.Fatalf("a healthy log changed the finding:\n%+v\nvs\n%+v", got[0], plain[0])
	}
	// Logs of a healthy pod add no finding either.
	pod := crashPod()
	pod.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "app", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(testNow.Add(-time.Hour))}}}
	crash, _ := os.ReadFile(filepath.Join("testdata", "logs", "go-panic-nil.txt"))
	if fs := Diagnose(Input{Pod: pod, Now: testNow, Logs: map[string]ContainerLogs{"app": {Current: string(crash)}}}); len(fs) != 0 {
		t.Fatalf("healthy pod got findings from its logs: %v", fs)
	}
}

func TestDiagnoseCurrentLogOfTerminatedContainer(t *testing.T) {
	pod := crashPod()
	pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	pod.Status.Phase = corev1.PodFailed
	pod.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "app", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 1, FinishedAt: metav1.NewTime(testNow.Add(-time.Minute))}}}
	fs := Diagnose(Input{Pod: pod, Now: testNow, Logs: map[string]ContainerLogs{"app": {Current: "java.lang.IllegalStateException: no tenants configured\n\tat com.example.Main.main(Main.java:9)\n"}}})
	if len(fs) == 0 || !strings.HasSuffix(fs[0].Summary, ": Java exception: java.lang.IllegalStateException: no tenants configured") {
		t.Fatalf("got %v", fs)
	}
	if !strings.Contains(strings.Join(fs[0].Evidence, "\n"), "logs (line 1 of 2): java.lang.IllegalStateException") {
		t.Errorf("evidence %q", fs[0].Evidence)
	}
}

// BenchmarkCrashCauseOf reads a full-size log (MaxLogLines lines of app
// output ending in a Java trace): the cost per crashed container.
func BenchmarkCrashCauseOf(b *testing.B) {
	trace, err := os.ReadFile(filepath.Join("testdata", "logs", "java-caused-by.txt"))
	if err != nil {
		b.Fatal(err)
	}
	log := strings.Repeat(`2024-05-02T10:11:12Z level=info msg="request served" path=/api/orders status=200 ms=12`+"\n", MaxLogLines) + string(trace)
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		if _, ok := CrashCauseOf(log); !ok {
			b.Fatal("no cause")
		}
	}
}
