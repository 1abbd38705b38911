package diagnose

import (
	"fmt"
	"net"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/podtui/podtui/internal/termsafe"
)

// Bounds on the logs the engine reads, whatever a caller passes: the tail of
// each log, like kubectl logs --tail 200 --limit-bytes 65536.
const (
	MaxLogLines = 200
	MaxLogBytes = 64 << 10
	// maxQuote cuts a quoted log line; maxCause cuts what the summary says.
	maxQuote = 240
	maxCause = 120
	// maxQuotes is how many decisive lines one cause quotes.
	maxQuotes = 4
)

// Ranks of log signatures: the highest rank found wins, and among equals the
// last one in the log. A program that died of an exception outranks the
// connection failures it may have retried before.
const (
	rankRetry = 1 // connection refused, DNS: often retried and survived
	rankError = 2 // permission denied: often a cause, sometimes handled
	rankFatal = 3 // the program ended with it
)

// CrashCause is what a container's log says about why it ended.
type CrashCause struct {
	Signature string // the name of the signature in LogSignatures
	Cause     string // short, for the summary: "Go panic: nil pointer dereference in main.(*Server).Start"
	// Lines are the decisive lines, sanitised and cut, with their 1-based
	// positions in the Total lines read.
	Lines  []QuotedLine
	Total  int
	Facts  map[string]string // named facts for next commands: host, port, service, module, envvar, path
	rank   int
	lineNo int // 0-based index of the matched line
}

// QuotedLine is one log line quoted as evidence.
type QuotedLine struct {
	N    int
	Text string
}

// LogSignature documents one crash signature and what it adds to a finding.
type LogSignature struct {
	Name     string
	Example  string   // a cause it yields
	Detects  string   // what it looks for, for docs
	Explain  string   // added to the finding's explanation
	Commands []string // templates; placeholders from the finding and the log's facts
}

var logSignatures = []LogSignature{
	{
		Name: "go-panic", Example: "Go panic: nil pointer dereference in main.(*Server).Start",
		Detects: "`panic: ...` (with `[signal SIGSEGV ...]`, `goroutine N [running]:` and the frame that panicked) and `fatal error: ...`",
		Explain: "The Go program panicked; the frame quoted is where.",
	},
	{
		Name: "java-oom", Example: "Java OutOfMemoryError: Java heap space",
		Detects:  "`java.lang.OutOfMemoryError: ...`",
		Explain:  "The JVM ran out of heap (or metaspace, or threads) inside its own limits: raise -Xmx (or use -XX:MaxRAMPercentage) within the container's memory limit, or find what grows.",
		Commands: []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].resources}'"},
	},
	{
		Name: "java-exception", Example: "Java exception: java.lang.IllegalStateException: ...",
		Detects: "`Exception in thread \"main\" java.lang.X`, a line starting with a fully qualified exception class, and the last `Caused by:`",
		Explain: "The JVM ended with an uncaught exception; the last `Caused by:` is the root cause.",
	},
	{
		Name: "python-traceback", Example: "Python: ValueError: invalid literal for int()",
		Detects: "`Traceback (most recent call last):` ... the exception line, with the last `File \"...\"` frame",
		Explain: "The Python program ended with an uncaught exception; the last frame quoted is where it was raised.",
	},
	{
		Name: "module-not-found", Example: "Node.js: Cannot find module 'express'",
		Detects:  "Node's `Error: Cannot find module 'x'` and Python's `ModuleNotFoundError: No module named 'x'`",
		Explain:  "A dependency is missing from the image: it was not installed in the build, installed in another stage, or hidden by a volume mounted over the app's directory.",
		Commands: []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].volumeMounts}'"},
	},
	{
		Name: "exec-format", Example: "exec format error (binary for another CPU architecture)",
		Detects:  "`exec format error` (`exec /app: exec format error`, `exec user process caused: exec format error`)",
		Explain:  "The image's program is built for another CPU architecture than the node (an arm64 image on amd64, or the reverse). Build a multi-arch image or pin the pod to nodes of its architecture.",
		Commands: []string{"kubectl get node <node> -L kubernetes.io/arch", "docker manifest inspect <image>"},
	},
	{
		Name: "interpreter-missing", Example: "cannot execute /docker-entrypoint.sh: it or its #! interpreter is missing",
		Detects:  "`exec /path: no such file or directory` as the runtime writes it, `exec user process caused: no such file or directory`, `bad interpreter`, `env: 'bash\\r': No such file or directory`",
		Explain:  "The kernel could not run the program although the runtime found it: its #! interpreter is not in the image (#!/bin/bash on an Alpine or distroless image), the script has Windows line endings (it looks for \"sh\\r\"), or a binary needs a dynamic loader the image lacks (glibc on musl).",
		Commands: []string{"kubectl debug <pod> -n <namespace> -it --copy-to=<pod>-debug --container=<container> -- head -1 <path>"},
	},
	{
		Name: "js-heap-oom", Example: "Node.js: JavaScript heap out of memory",
		Detects:  "`FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory`",
		Explain:  "Node stopped at its heap limit, which is smaller than the container's memory limit unless --max-old-space-size (NODE_OPTIONS) raises it. Raise the heap and the memory limit together, or find what grows.",
		Commands: []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].resources.limits.memory} {.spec.containers[?(@.name==\"<container>\")].env[?(@.name==\"NODE_OPTIONS\")].value}'"},
	},
	{
		Name: "is-a-directory", Example: "a directory where a file was expected: /config/config.yml",
		Detects:  "`read /path: is a directory`, `IsADirectoryError: [Errno 21] Is a directory: '/path'`, `EISDIR: illegal operation on a directory`, `/path (Is a directory)`",
		Explain:  "The program opens as a file a path that is a directory. In a pod that is nearly always a volume: a whole ConfigMap or Secret mounted at the file's path (a subPath was meant), or a subPath naming a key the object lacks, for which the kubelet mounts an empty directory.",
		Commands: []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].volumeMounts}'"},
	},
	{
		Name: "db-auth", Example: "database login refused for user app",
		Detects:  "PostgreSQL `password authentication failed for user \"x\"`, MySQL `Access denied for user 'x'@'host'`, MongoDB `Authentication failed`, Redis `WRONGPASS`/`NOAUTH`",
		Explain:  "The database refuses the credentials the program sends: the Secret's password is not the database's, the user does not exist there, or the value carries a trailing newline (a Secret made from `echo` without -n).",
		Commands: []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].env} {.spec.containers[?(@.name==\"<container>\")].envFrom}'"},
	},
	{
		Name: "bad-flag", Example: "unknown command-line flag --listen",
		Detects:  "Go's `flag provided but not defined: -x`, cobra's `unknown flag: --x`, argparse's `unrecognized arguments: --x`, the JVM's `Unrecognized option: -x`",
		Explain:  "The container's args pass a flag the program does not know: args written for another version of the image, or args meant for the image's ENTRYPOINT handed to another program by a `command` that replaced it.",
		Commands: []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].command} {.spec.containers[?(@.name==\"<container>\")].args}'", "docker image inspect <image> --format '{{.Config.Entrypoint}} {{.Config.Cmd}}'"},
	},
	{
		Name: "address-in-use", Example: "address already in use :8080",
		Detects:  "`bind: address already in use`, `EADDRINUSE`, `BindException: Address already in use`",
		Explain:  "Another process in the pod's network namespace (another container of the pod, or the node with hostNetwork) already listens on that port.",
		Commands: []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.hostNetwork} {.spec.containers[*].ports}'"},
	},
	{
		Name: "permission-denied", Example: "permission denied: /data/db",
		Detects: "`open /path: permission denied`, `EACCES: permission denied, open '/path'`, `PermissionError: [Errno 13]`",
		Explain: "The user the container runs as may not use that path: compare runAsUser/fsGroup with the owner of the mounted volume or the image's files.",
		Commands: []string{
			"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.securityContext} {.spec.containers[?(@.name==\"<container>\")].securityContext}'",
			"kubectl debug <pod> -n <namespace> -it --copy-to=<pod>-debug --container=<container> -- ls -ld <path>",
		},
	},
	{
		Name: "read-only-fs", Example: "read-only file system: /var/cache/nginx/client_temp",
		Detects:  "`mkdir /path: read-only file system`, nginx's `mkdir() \"/path\" failed (30: Read-only file system)`, `EROFS: read-only file system, open '/path'`, `[Errno 30] Read-only file system: '/path'`",
		Explain:  "The program writes where the container's filesystem is read-only: readOnlyRootFilesystem is set (often by a security policy), or the path is on a read-only volume. Mount an emptyDir at that path (or point the program's temp and cache directories at one).",
		Commands: []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].securityContext.readOnlyRootFilesystem} {.spec.containers[?(@.name==\"<container>\")].volumeMounts}'"},
	},
	{
		Name: "privileged-port", Example: "cannot listen on port 80 without root",
		Detects:  "`listen tcp :80: bind: permission denied`, Node's `listen EACCES: permission denied 0.0.0.0:80`, nginx's `bind() to 0.0.0.0:80 failed (13: Permission denied)`",
		Explain:  "Ports below 1024 need root or the NET_BIND_SERVICE capability, and the container runs as another user (runAsNonRoot, runAsUser, or the image's USER). Listen on a port of 1024 or more and point the Service's targetPort at it, or add NET_BIND_SERVICE to the container's capabilities.",
		Commands: []string{"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.securityContext} {.spec.containers[?(@.name==\"<container>\")].securityContext}'"},
	},
	{
		Name: "missing-env", Example: "missing environment variable DATABASE_URL",
		Detects: "`KeyError: 'NAME'`, `environment variable NAME is not set`, envconfig's `required key NAME missing value`",
		Explain: "The program needs an environment variable the container does not set: add it to env, or to the ConfigMap or Secret envFrom reads.",
		Commands: []string{
			"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].env[?(@.name==\"<envvar>\")]}'",
			"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].env[*].name} {.spec.containers[?(@.name==\"<container>\")].envFrom}'",
		},
	},
	{
		Name: "file-not-found", Example: "config file not found /etc/app/config.yaml",
		Detects: "`open /path: no such file or directory`, `FileNotFoundError: [Errno 2] ...: '/path'`, `ENOENT: no such file or directory, open '/path'`",
		Explain: "A file the program opens is not there: a ConfigMap or Secret not mounted at that path (or without that key), or a path that differs from the image's.",
		Commands: []string{
			"kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.containers[?(@.name==\"<container>\")].volumeMounts}'",
			"kubectl debug <pod> -n <namespace> -it --copy-to=<pod>-debug --container=<container> -- ls -la <dir>",
		},
	},
	{
		Name: "migration-failed", Example: "database migration failed: Dirty database version 40",
		Detects: "`migration failed`, `Dirty database version N`, Flyway's `FlywayException`, `django.db.utils.OperationalError`, `ActiveRecord::PendingMigrationError`",
		Explain: "The database schema migration failed or is pending; a failed one may leave the schema half applied (dirty) so every restart fails the same way until it is repaired by hand.",
	},
	{
		Name: "dns-failure", Example: "DNS lookup failed for postgres",
		Detects:  "`lookup HOST on ...: no such host`, `getaddrinfo ENOTFOUND HOST`, `could not translate host name \"HOST\"`, `UnknownHostException: HOST`",
		Explain:  "The name the program connects to does not resolve: a Service that does not exist (in this namespace), a typo, or a name from another environment.",
		Commands: []string{"kubectl run -it --rm dnstest --image=busybox:1.36 -n <namespace> --restart=Never -- nslookup <host>", "kubectl get svc <service> -n <namespace>"},
	},
	{
		Name: "connection-refused", Example: "connection refused to db:5432",
		Detects:  "`dial tcp HOST:PORT: connect: connection refused`, `ECONNREFUSED HOST:PORT`, `Connection to HOST:PORT refused`, `ConnectException: Connection refused`",
		Explain:  "Nothing accepted the connection: the service it depends on is down or not ready, has no endpoints, or listens on another port. 127.0.0.1 or localhost means a container of this same pod.",
		Commands: []string{"kubectl get svc,endpointslices -n <namespace>", "kubectl get endpointslices -n <namespace> -l kubernetes.io/service-name=<service>"},
	},
}

// LogSignatures lists the crash signatures read from logs (a copy), for docs.
func LogSignatures() []LogSignature {
	out := make([]LogSignature, len(logSignatures))
	copy(out, logSignatures)
	return out
}

func logSignature(name string) LogSignature {
	for _, s := range logSignatures {
		if s.Name == name {
			return s
		}
	}
	panic("diagnose: unknown log signature " + name)
}

// logLines bounds a log to its last MaxLogBytes bytes and MaxLogLines lines,
// each made safe to print (escape sequences and control characters removed).
func logLines(log string) []string {
	if len(log) > MaxLogBytes {
		log = log[len(log)-MaxLogBytes:]
		// Drop the partial first line.
		if i := strings.IndexByte(log, '\n'); i >= 0 {
			log = log[i+1:]
		}
	}
	log = strings.TrimRight(log, "\n")
	if log == "" {
		return nil
	}
	lines := strings.Split(log, "\n")
	if len(lines) > MaxLogLines {
		lines = lines[len(lines)-MaxLogLines:]
	}
	for i, l := range lines {
		lines[i] = termsafe.Sanitize(strings.TrimSuffix(l, "\r"), termsafe.Options{})
	}
	return lines
}

// cut shortens s to at most n runes, marking the cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// CrashCauseOf reads a log and returns the most decisive crash signature in
// it. Ordinary error lines are not signatures: ok is false when nothing
// known is found.
func CrashCauseOf(log string) (CrashCause, bool) {
	lines := logLines(log)
	var best CrashCause
	found := false
	for i := range lines {
		c, ok := matchLine(lines, i)
		if ok && (!found || c.rank >= best.rank) {
			best, found = c, true
		}
	}
	if !found {
		return CrashCause{}, false
	}
	best.Total = len(lines)
	best.Cause = cut(best.Cause, maxCause)
	for k, v := range best.Facts {
		if v == "" {
			delete(best.Facts, k)
		}
	}
	return best, true
}

// hit builds a cause quoting the lines at idx (the matched line first among
// them in log order).
func hit(lines []string, i int, rank int, sig, cause string, facts map[string]string, idx ...int) CrashCause {
	if len(idx) == 0 {
		idx = []int{i}
	}
	c := CrashCause{Signature: sig, Cause: cause, Facts: facts, rank: rank, lineNo: i}
	seen := map[int]bool{}
	for _, n := range idx {
		if n < 0 || n >= len(lines) || seen[n] || len(c.Lines) == maxQuotes {
			continue
		}
		seen[n] = true
		c.Lines = append(c.Lines, QuotedLine{N: n + 1, Text: cut(strings.TrimSpace(lines[n]), maxQuote)})
	}
	return c
}

// matchLine tries the signatures on line i: the stack-shaped ones first
// (they carry the frame; Python's before Java's, whose exception lines look
// alike), then the single-line ones.
func matchLine(lines []string, i int) (CrashCause, bool) {
	for _, m := range []func([]string, int) (CrashCause, bool){goPanic, pythonException, javaException, nodeModule} {
		if c, ok := m(lines, i); ok {
			return c, true
		}
	}
	sig, cause, facts, rank, ok := plainCause(lines, i)
	if !ok {
		return CrashCause{}, false
	}
	return hit(lines, i, rank, sig, cause, facts), true
}

// refine replaces a stack's generic cause by a specific one its message
// names (connection refused, missing file, ...), keeping the stack's quotes.
func refine(c CrashCause, lines []string, i int) CrashCause {
	sig, cause, facts, _, ok := plainCause(lines, i)
	if !ok {
		return c
	}
	c.Signature, c.Cause, c.Facts = sig, cause, facts
	return c
}

// ---- Go ----

var (
	goPanicRe   = regexp.MustCompile(`^\s*panic: (.*?)(?: \[recovered\])?$`)
	goFatalRe   = regexp.MustCompile(`^fatal error: (.+)$`)
	goroutineRe = regexp.MustCompile(`^goroutine \d+ \[[^\]]+\]:$`)
	goFuncRe    = regexp.MustCompile(`^(\S.*)\([^()]*\)$`)
)

func goPanic(lines []string, i int) (CrashCause, bool) {
	l := lines[i]
	m := goPanicRe.FindStringSubmatch(l)
	kind := "Go panic"
	if m == nil {
		if m = goFatalRe.FindStringSubmatch(l); m == nil {
			return CrashCause{}, false
		}
		kind = "Go fatal error"
	}
	// "panic: X [recovered]" is followed by "\tpanic: X": quote the first.
	if i > 0 && goPanicRe.MatchString(lines[i-1]) {
		return CrashCause{}, false
	}
	msg := m[1]
	what := msg
	if strings.Contains(msg, "nil pointer dereference") {
		what = "nil pointer dereference"
	}
	idx := []int{i}
	g, fn := goFrame(lines, i)
	if g >= 0 {
		idx = append(idx, g)
	}
	if fn >= 0 {
		idx = append(idx, fn, fn+1)
		if f := goFuncRe.FindStringSubmatch(strings.TrimSpace(lines[fn])); f != nil {
			what += " in " + shortFunc(f[1])
		}
	}
	c := hit(lines, i, rankFatal, "go-panic", kind+": "+what, nil, idx...)
	if !strings.Contains(msg, "nil pointer") {
		// log.Panic(err) carries the error: it may name a host or a file.
		c = refine(c, lines, i)
	}
	return c, true
}

// goFrame finds, after a panic line, the goroutine header and the frame that
// panicked: the one after the last "panic(" frame (the ones before it are
// deferred functions running during the panic), else the first.
func goFrame(lines []string, i int) (g, fn int) {
	g, fn = -1, -1
	for j := i + 1; j < len(lines) && j < i+60; j++ {
		if goroutineRe.MatchString(strings.TrimSpace(lines[j])) {
			g = j
			break
		}
	}
	if g < 0 {
		return -1, -1
	}
	for j := g + 1; j < len(lines) && j < g+60; j++ {
		l := lines[j]
		switch {
		case l == "" || goroutineRe.MatchString(l) || strings.HasPrefix(l, "created by "):
			return g, fn
		case strings.HasPrefix(l, "\t") || strings.HasPrefix(l, " "):
			// a file:line
		case strings.HasPrefix(l, "panic("):
			fn = -1 // the frame after it panicked
		case fn < 0 && !strings.HasPrefix(l, "runtime."):
			fn = j
		}
	}
	return g, fn
}

// shortFunc drops the import path: "github.com/x/y/pkg.(*T).M" is "pkg.(*T).M".
func shortFunc(f string) string {
	if i := strings.LastIndex(f, "/"); i >= 0 {
		return f[i+1:]
	}
	return f
}

// ---- Java ----

var javaExcRe = regexp.MustCompile(`^(?:Exception in thread "[^"]*" |Caused by: )?((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error))(?::\s*(.*))?$`)

func javaException(lines []string, i int) (CrashCause, bool) {
	l := strings.TrimSpace(lines[i])
	m := javaExcRe.FindStringSubmatch(l)
	if m == nil || strings.HasPrefix(lines[i], "\t") {
		return CrashCause{}, false
	}
	idx := []int{i}
	if i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "at ") {
		idx = append(idx, i+1)
	}
	class, msg := m[1], m[2]
	simple := class[strings.LastIndex(class, ".")+1:]
	if simple == "OutOfMemoryError" {
		return hit(lines, i, rankFatal, "java-oom", "Java OutOfMemoryError: "+msg, nil, idx...), true
	}
	cause := "Java exception: " + class
	if msg != "" {
		cause += ": " + msg
	}
	// ConnectException, UnknownHostException, BindException name their cause.
	return refine(hit(lines, i, rankFatal, "java-exception", cause, nil, idx...), lines, i), true
}

// ---- Python ----

var pyExcRe = regexp.MustCompile(`^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|NotFound|Failure))(?::\s?(.*))?$`)

func pythonException(lines []string, i int) (CrashCause, bool) {
	m := pyExcRe.FindStringSubmatch(lines[i])
	if m == nil || i == 0 || !strings.HasPrefix(lines[i-1], " ") {
		return CrashCause{}, false
	}
	frame := -1
	top := false
	for j := i - 1; j >= 0 && j > i-300; j-- {
		t := lines[j]
		if strings.HasPrefix(t, "Traceback (most recent call last):") {
			top = true
			break
		}
		if frame < 0 && strings.HasPrefix(strings.TrimSpace(t), `File "`) {
			frame = j
		}
		if !strings.HasPrefix(t, " ") && !strings.HasPrefix(t, "\t") {
			break
		}
	}
	if !top {
		return CrashCause{}, false
	}
	idx := []int{i}
	if frame >= 0 {
		idx = []int{frame, i}
	}
	class, msg := m[1], m[2]
	cause := "Python: " + class
	if msg != "" {
		cause += ": " + msg
	}
	c := hit(lines, i, rankFatal, "python-traceback", cause, nil, idx...)
	switch {
	case class == "ModuleNotFoundError" || class == "ImportError":
		if mm := pyModuleRe.FindStringSubmatch(msg); mm != nil {
			c.Signature, c.Facts = "module-not-found", map[string]string{"module": mm[1]}
		}
		return c, true
	case class == "KeyError":
		if name := strings.Trim(msg, `'"`); envNameRe.MatchString(name) {
			c.Signature, c.Cause, c.Facts = "missing-env", "missing environment variable "+name, map[string]string{"envvar": name}
		}
		return c, true
	case strings.HasPrefix(class, "django.db.") || strings.HasPrefix(class, "alembic."):
		if s, _, _, _, ok := plainCause(lines, i); ok && s != "migration-failed" {
			return refine(c, lines, i), true
		}
		c.Signature, c.Cause = "migration-failed", "database migration failed: "+class+": "+msg
		return c, true
	}
	return refine(c, lines, i), true
}

var (
	pyModuleRe = regexp.MustCompile(`^No module named '([^']+)'`)
	envNameRe  = regexp.MustCompile(`^[A-Z][A-Z0-9_]{2,}$`)
)

// ---- Node ----

var nodeModuleRe = regexp.MustCompile(`Error: Cannot find module '([^']+)'`)

func nodeModule(lines []string, i int) (CrashCause, bool) {
	m := nodeModuleRe.FindStringSubmatch(lines[i])
	if m == nil {
		return CrashCause{}, false
	}
	idx := []int{i}
	// "Require stack:" then "- /app/server.js": the file that wanted it.
	if i+2 < len(lines) && strings.TrimSpace(lines[i+1]) == "Require stack:" {
		idx = append(idx, i+2)
	}
	return hit(lines, i, rankFatal, "module-not-found", "Node.js: Cannot find module '"+m[1]+"'", map[string]string{"module": m[1]}, idx...), true
}

// ---- single lines ----

var (
	execFormatRe  = regexp.MustCompile(`(?:exec (\S+): )?exec format error`)
	addrInUseRe   = regexp.MustCompile(`(?i)(?:listen (?:tcp\d?|udp\d?) ([^\s:]*:\d+|\[[^\]]*\]:\d+): bind: address already in use|EADDRINUSE(?:: address already in use)? (\S+)|address already in use)`)
	permRe        = regexp.MustCompile(`(?:^|[\s"'=])(?:open|mkdir|stat|remove|rename|chmod|chown|create|write|read|lstat|mkdirat|openat) (/\S*): permission denied|EACCES: permission denied, \w+ '([^']+)'|\[Errno 13\] Permission denied: '([^']+)'|(/[^\s:']+): Permission denied|'(/[^']+)': Permission denied|\w+\(\) "(/[^"]+)" failed \(13: Permission denied\)`)
	envRes        = []*regexp.Regexp{regexp.MustCompile(`required key ([A-Z][A-Z0-9_]+) missing value`), regexp.MustCompile(`(?i)env(?:ironment)?[ _]?var(?:iable)?s? ["'` + "`" + `]?([A-Z][A-Z0-9_]{2,})["'` + "`" + `]? (?:is )?(?:not set|not defined|missing|required|undefined|empty)`), regexp.MustCompile(`(?i)missing (?:required )?env(?:ironment)?[ _]?var(?:iable)?s?:? ["'` + "`" + `]?([A-Z][A-Z0-9_]{2,})`), regexp.MustCompile(`\b([A-Z][A-Z0-9_]{2,})["'` + "`" + `]? (?:environment variable|env var) (?:is )?(?:not set|required|missing|must be set)`)}
	fileRe        = regexp.MustCompile(`(?:^|[\s"'=])(?:open|stat|read|lstat) (/\S+): no such file or directory|\[Errno 2\] No such file or directory: '([^']+)'|ENOENT: no such file or directory, \w+ '([^']+)'|FileNotFoundException: (\S+) \(No such file or directory\)`)
	migrationRe   = regexp.MustCompile(`(?i)\bmigrations? (?:\S+ )?failed\b|Dirty database version \d+|FlywayException|ActiveRecord::PendingMigrationError|Migrations are pending`)
	dirtyRe       = regexp.MustCompile(`Dirty database version \d+`)
	dnsRe         = regexp.MustCompile(`lookup ([^\s:]+)(?: on [^\s]+)?: no such host|host not found in upstream "([^":]+)|getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([^\s,]+)|could not translate host name "([^"]+)" to address|UnknownHostException: ([^\s:]+)|Name or service not known|Temporary failure in name resolution`)
	connRefusedRe = regexp.MustCompile(`(?i)connection refused|ECONNREFUSED|Connection to \S+ refused`)
	hostPortRes   = []*regexp.Regexp{
		regexp.MustCompile(`dial (?:tcp|udp)\d? ([^\s:]+|\[[^\]]+\]):(\d+)`),
		regexp.MustCompile(`ECONNREFUSED ([^\s:]+):(\d+)`),
		regexp.MustCompile(`Connection to ([^\s:]+):(\d+) refused`),
		regexp.MustCompile(`connection to server at "([^"]+)"[^,]*, port (\d+)`),
		regexp.MustCompile(`on host "([^"]+)"[^?]*? on port (\d+)`),
		regexp.MustCompile(`Error 111 connecting to ([^\s:]+):(\d+)`),
	}
	roFSRe       = regexp.MustCompile(`(?i)(?:mkdir|open|create|write|rename|remove|chmod|touch|mkdirat|openat)(?:\(\))? "?(/[^\s":]+)"?(?:: read-only file system| failed \(30: Read-only file system\))|EROFS: read-only file system, \w+ '([^']+)'|\[Errno 30\] Read-only file system: '([^']+)'|(/[^\s:']+): Read-only file system`)
	privPortRe   = regexp.MustCompile(`listen tcp\d? [^\s]*:(\d+): bind: permission denied|listen EACCES: permission denied \S*:(\d+)|bind\(\) to \S*:(\d+) failed \(13: Permission denied\)`)
	interpRe     = regexp.MustCompile(`^exec (/\S+): no such file or directory$|exec user process caused:? "?no such file or directory|(/\S+): bad interpreter|^env: '?([^\s':]+)\\r'?: No such file or directory|^env: can't execute '([^']+)': No such file or directory`)
	jsHeapRe     = regexp.MustCompile(`JavaScript heap out of memory`)
	isDirRe      = regexp.MustCompile(`(?:^|[\s"'=])(?:read|open) (/\S+): is a directory|\[Errno 21\] Is a directory: '([^']+)'|EISDIR: illegal operation on a directory|(/\S+) \(Is a directory\)`)
	dbAuthRe     = regexp.MustCompile(`password authentication failed for user "([^"]+)"|Access denied for user '([^']+)'@|(?:MongoServerError|MongoError|MongoSecurityException)?:? ?Authentication failed\.?$|WRONGPASS|NOAUTH Authentication required`)
	badFlagRe    = regexp.MustCompile(`flag provided but not defined: (-\S+)|unknown (?:shorthand )?flag:? '?(-[^\s']+)|unrecognized arguments: (\S+)|Unrecognized option: (\S+)`)
	configPathRe = regexp.MustCompile(`(?i)(\.(ya?ml|json|toml|ini|conf|cfg|properties|env|xml)$|/conf(ig)?[/.]|config)`)
)

// plainWords are what some single-line signature needs in a line (lower case).
var plainWords = []string{
	"exec format", "no such host", "enotfound", "eai_again", "translate host", "unknownhost", "name or service", "name resolution",
	"refused", "migrat", "flyway", "dirty database", "env", "required key", "address already in use", "eaddrinuse",
	"no such file", "enoent", "filenotfound", "permission denied", "eacces",
	"bad interpreter", "heap out of memory", "directory", "eisdir", "authentication failed", "access denied for user", "wrongpass", "noauth",
	"flag", "unrecognized", "read-only file system", "erofs", "upstream",
}

// plainCause matches the one-line signatures on line i (and, for a
// connection failure, the host named on the next line).
func plainCause(lines []string, i int) (sig, cause string, facts map[string]string, rank int, ok bool) {
	l := lines[i]
	// Most lines hold none of the words: skip the expressions for them.
	low := strings.ToLower(l)
	if !slices.ContainsFunc(plainWords, func(w string) bool { return strings.Contains(low, w) }) {
		return "", "", nil, 0, false
	}
	if m := execFormatRe.FindStringSubmatch(l); m != nil {
		return "exec-format", "exec format error (binary for another CPU architecture)", map[string]string{"path": m[1]}, rankFatal, true
	}
	if m := privPortRe.FindStringSubmatch(l); m != nil {
		if port := firstOf(m[1:]...); port != "" && len(port) <= 4 {
			if n, _ := strconv.Atoi(port); n > 0 && n < 1024 {
				return "privileged-port", "cannot listen on port " + port + " without root", map[string]string{"port": port}, rankFatal, true
			}
		}
	}
	if m := roFSRe.FindStringSubmatch(l); m != nil {
		p := firstOf(m[1:]...)
		return "read-only-fs", "read-only file system: " + p, map[string]string{"path": p, "dir": path.Dir(p)}, rankFatal, true
	}
	if m := interpRe.FindStringSubmatch(l); m != nil {
		p := firstOf(m[1:]...)
		cause := "cannot execute the program: it or its #! interpreter is missing"
		if strings.HasPrefix(l, "env: ") && strings.Contains(l, `\r`) {
			cause = "script has Windows line endings: no interpreter " + p + `\r`
		} else if p != "" {
			cause = "cannot execute " + p + ": it or its #! interpreter is missing"
		}
		return "interpreter-missing", cause, map[string]string{"path": p}, rankFatal, true
	}
	if jsHeapRe.MatchString(l) {
		return "js-heap-oom", "Node.js: JavaScript heap out of memory", nil, rankFatal, true
	}
	if m := isDirRe.FindStringSubmatch(l); m != nil {
		p := firstOf(m[1:]...)
		cause := "a directory where a file was expected"
		if p != "" {
			cause += ": " + p
		}
		return "is-a-directory", cause, map[string]string{"path": p, "dir": path.Dir(p)}, rankFatal, true
	}
	if m := badFlagRe.FindStringSubmatch(l); m != nil {
		return "bad-flag", "unknown command-line flag " + firstOf(m[1:]...), nil, rankFatal, true
	}
	if m := dbAuthRe.FindStringSubmatch(l); m != nil {
		cause := "database login refused"
		if u := firstOf(m[1:]...); u != "" {
			cause += " for user " + u
		}
		return "db-auth", cause, nil, rankError, true
	}
	for _, re := range envRes {
		if m := re.FindStringSubmatch(l); m != nil {
			return "missing-env", "missing environment variable " + m[1], map[string]string{"envvar": m[1]}, rankFatal, true
		}
	}
	if m := addrInUseRe.FindStringSubmatch(l); m != nil {
		port := ""
		if hp := firstOf(m[1:]...); hp != "" {
			port = hp[strings.LastIndex(hp, ":")+1:]
		}
		cause := "address already in use"
		if port != "" {
			cause += " :" + port
		}
		return "address-in-use", cause, map[string]string{"port": port}, rankFatal, true
	}
	if m := fileRe.FindStringSubmatch(l); m != nil {
		p := firstOf(m[1:]...)
		what := "file not found "
		if configPathRe.MatchString(p) {
			what = "config file not found "
		}
		return "file-not-found", what + p, map[string]string{"path": p, "dir": path.Dir(p)}, rankFatal, true
	}
	if m := permRe.FindStringSubmatch(l); m != nil {
		p := firstOf(m[1:]...)
		return "permission-denied", "permission denied: " + p, map[string]string{"path": p}, rankError, true
	}
	if m := dnsRe.FindStringSubmatch(l); m != nil {
		host := firstOf(m[1:]...)
		if host == "" {
			return "dns-failure", "DNS lookup failed", nil, rankRetry, true
		}
		return "dns-failure", "DNS lookup failed for " + host, hostFacts(host, ""), rankRetry, true
	}
	if connRefusedRe.MatchString(l) {
		text := l
		if i+1 < len(lines) {
			text += "\n" + lines[i+1] // psql names the host on the next line
		}
		for _, re := range hostPortRes {
			if m := re.FindStringSubmatch(text); m != nil {
				host := strings.Trim(m[1], "[]")
				return "connection-refused", "connection refused to " + net.JoinHostPort(host, m[2]), hostFacts(host, m[2]), rankRetry, true
			}
		}
		return "connection-refused", "connection refused", nil, rankRetry, true
	}
	if m := migrationRe.FindString(l); m != "" {
		cause := "database migration failed"
		if d := dirtyRe.FindString(l); d != "" {
			cause += ": " + d
		}
		return "migration-failed", cause, nil, rankFatal, true
	}
	return "", "", nil, 0, false
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// hostFacts names the host, its port and, for a cluster DNS name, the
// Service: "db", "db.shop" and "db.shop.svc.cluster.local" are Service db.
func hostFacts(host, port string) map[string]string {
	f := map[string]string{"host": host, "port": port}
	if net.ParseIP(host) == nil && host != "localhost" && host != "" {
		f["service"] = strings.SplitN(host, ".", 2)[0]
	}
	return f
}

// ---- the hook ----

// logRules are the findings a crash cause from the logs enriches: those
// about a container that ended by itself or was killed.
var logRules = map[string]bool{
	"crash/exit-zero": true, "crash/exit-error": true, "crash/not-executable": true, "crash/command-not-found": true,
	"crash/sigkill": true, "crash/segfault": true, "crash/sigterm": true, "crash/signal": true, "crash/recent-restarts": true,
	"oom/killed": true, "oom/restarted": true, "init/crash-loop": true, "init/failed": true,
	"probe/liveness-killing": true, "probe/startup-failing": true,
}

// crashLogs adds to the first finding of each container with logs the crash
// cause its logs show: the previous container's first, else the current.
func (c *ctx) crashLogs(out []Finding) {
	done := map[string]bool{}
	for i := range out {
		f := &out[i]
		logs, ok := c.in.Logs[f.Container]
		if f.Container == "" || done[f.Container] || !logRules[f.Rule] || !ok {
			continue
		}
		done[f.Container] = true
		which := "previous logs"
		cause, found := CrashCauseOf(logs.Previous)
		if !found {
			which = "logs"
			cause, found = CrashCauseOf(logs.Current)
		}
		if !found {
			continue
		}
		sig := logSignature(cause.Signature)
		f.Summary += ": " + cause.Cause
		for _, q := range cause.Lines {
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s (line %d of %d): %s", which, q.N, cause.Total, q.Text))
		}
		if sig.Explain != "" {
			f.Explanation = sig.Explain + " " + f.Explanation
		}
		v := c.baseVars(f.Container)
		for k, val := range cause.Facts {
			v[k] = val
		}
		f.Next = dedupStrings(append(fillCommands(sig.Commands, v), f.Next...))
	}
}
