package diagnose

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

func (c *ctx) imagePull(v cview, w *corev1.ContainerStateWaiting) {
	name := v.name()
	image := v.spec.Image
	ev := []string{}
	if w.Message != "" {
		ev = append(ev, w.Message)
	}
	ev = append(ev, fmt.Sprintf("%s.state.waiting.reason: %s", statusPath(v), w.Reason), fmt.Sprintf("image: %s", image))
	msg := w.Message
	for _, e := range c.eventsWith(name, "Failed", "ErrImageNeverPull", "InspectFailed") {
		if strings.Contains(e.Message, "pull") || strings.Contains(e.Message, "image") {
			ev = append(ev, c.evidence(e))
			if ClassifyPull(msg) == PullUnknown {
				msg = e.Message
			}
			break
		}
	}
	node := nodeOr(c.pod.Spec.NodeName)
	reg := registryOf(image)
	var id, summary string
	var detail []string
	switch w.Reason {
	case "InvalidImageName":
		id, summary = "image/invalid-name", fmt.Sprintf("Image reference %q is not valid", image)
	case "ErrImageNeverPull":
		id, summary = "image/never-pull", fmt.Sprintf("Image %s is not on node %s and imagePullPolicy is Never", image, node)
	case "RegistryUnavailable":
		id, summary = "image/registry-unavailable", fmt.Sprintf("Registry %s is unavailable from node %s", reg, node)
	case "SignatureValidationFailed":
		id, summary = "image/signature", fmt.Sprintf("Signature check of image %s failed", image)
	case "ImageInspectError":
		id, summary = "image/inspect-error", fmt.Sprintf("Image %s on node %s cannot be inspected", image, node)
	default:
		switch ClassifyPull(msg) {
		case PullNotFound:
			id = "image/not-found"
			summary = fmt.Sprintf("Image %s not found: the tag or manifest does not exist in %s", image, reg)
			summary += officialTypo(image)
		case PullAuth:
			id = "image/unauthorized"
			summary = fmt.Sprintf("Pull of %s denied: the repository does not exist or needs credentials", image)
			// Docker Hub answers a misspelt repository this way too.
			summary += officialTypo(image)
			detail = append(detail, c.pullSecretState()...)
		case PullTLS:
			id = "image/tls"
			if h := pullHost(msg); h != "" {
				reg = h
			}
			summary = fmt.Sprintf("Node %s does not trust the TLS certificate of registry %s", node, reg)
		case PullNetwork:
			id = "image/network"
			why := "connection failed"
			if h := pullHost(msg); h != "" {
				reg = h
			}
			switch l := strings.ToLower(msg); {
			case strings.Contains(l, "no such host"), strings.Contains(l, "name resolution"):
				why = "DNS lookup failed"
			case strings.Contains(l, "i/o timeout"), strings.Contains(l, "deadline exceeded"), strings.Contains(l, "timeout"):
				why = "timed out"
			case strings.Contains(l, "connection refused"):
				why = "connection refused"
			}
			summary = fmt.Sprintf("Node %s cannot reach registry %s (%s)", node, reg, why)
		case PullRateLimit:
			id = "image/rate-limit"
			summary = fmt.Sprintf("Registry %s is rate-limiting pulls (toomanyrequests)", reg)
		case PullPlatform:
			id = "image/platform"
			summary = fmt.Sprintf("Image %s has no variant for node %s's OS/architecture", image, node)
		case PullThrottled:
			id = "image/kubelet-throttled"
			summary = fmt.Sprintf("The kubelet on node %s is throttling its own image pulls (pull QPS exceeded)", node)
		case PullCutOff:
			id = "image/pull-cut-off"
			summary = fmt.Sprintf("The pull of %s was cut off before it finished", image)
		case PullDiskPressure:
			id = "image/pull-failed"
			summary = fmt.Sprintf("Node %s has no disk space left to unpack image %s", node, image)
		default:
			id = "image/pull-failed"
			summary = fmt.Sprintf("Image %s cannot be pulled", image)
			if strings.HasPrefix(msg, "Back-off pulling image") && !strings.Contains(msg, "\": ") {
				detail = append(detail, "The pod's status says only that the kubelet backs off; the pull's own error was in the kubelet's Failed events, which expire after an hour. Pulling the image on the node shows it again.")
			}
		}
	}
	if v.init {
		detail = append(detail, fmt.Sprintf("%s is an init container: the app containers wait for it.", name))
	}
	if w.Reason == "ImagePullBackOff" {
		detail = append(detail, "The kubelet is backing off between attempts (up to 5m).")
	}
	if note := latestNote(v.spec); note != "" && id != "image/invalid-name" {
		detail = append(detail, note)
	}
	c.handled[name] = true
	// The host the runtime failed to reach, which may be a mirror or a
	// redirect rather than the image's registry.
	extra := vars{"registry": reg, "host": withPort(reg)}
	if ps := c.pod.Spec.ImagePullSecrets; len(ps) > 0 {
		extra["pullsecret"] = ps[0].Name
	}
	c.add(id, name, summary, strings.Join(detail, " "), ev, extra)
}

// latestNote says when :latest or no tag makes Always the default pull policy.
func latestNote(ctr *corev1.Container) string {
	tag, digest := imageTag(ctr.Image)
	if digest || (tag != "" && tag != "latest") {
		return ""
	}
	what := "has no tag, which means :latest"
	if tag == "latest" {
		what = "uses the :latest tag"
	}
	switch ctr.ImagePullPolicy {
	case corev1.PullAlways, "":
		return fmt.Sprintf("The image %s, so imagePullPolicy defaults to Always: every container start pulls again, and a registry outage stops restarts.", what)
	default:
		return fmt.Sprintf("The image %s; imagePullPolicy is set to %s explicitly.", what, ctr.ImagePullPolicy)
	}
}

// pullSecretState describes each imagePullSecret of the pod.
func (c *ctx) pullSecretState() []string {
	ps := c.pod.Spec.ImagePullSecrets
	if len(ps) == 0 {
		sa := c.pod.Spec.ServiceAccountName
		if sa == "" {
			sa = "default"
		}
		return []string{fmt.Sprintf("The pod has no imagePullSecrets (its ServiceAccount %s adds none), so the pull was anonymous.", sa)}
	}
	var out []string
	for _, s := range ps {
		switch p, _ := c.rel.Lookup(KindSecret, c.pod.Namespace, s.Name); p {
		case Missing:
			out = append(out, fmt.Sprintf("imagePullSecret %s does not exist in %s%s.", s.Name, c.pod.Namespace, c.suggest(KindSecret, s.Name)))
		case Exists:
			out = append(out, fmt.Sprintf("imagePullSecret %s exists: check that its credentials are valid for this registry.", s.Name))
		default:
			out = append(out, fmt.Sprintf("imagePullSecret %s: cannot tell whether it exists.", s.Name))
		}
	}
	return out
}

func (c *ctx) pullSecrets(imageTrouble bool) {
	evs := c.eventsWith("", "FailedToRetrieveImagePullSecret")
	for _, s := range c.pod.Spec.ImagePullSecrets {
		p, _ := c.rel.Lookup(KindSecret, c.pod.Namespace, s.Name)
		var ev []string
		for _, e := range evs {
			if strings.Contains(e.Message, s.Name) {
				ev = append(ev, c.evidence(e))
			}
		}
		if p == Missing && (imageTrouble || len(ev) > 0) || len(ev) > 0 && p != Exists {
			ev = append(ev, fmt.Sprintf("spec.imagePullSecrets: %s", s.Name))
			c.add("image/pull-secret-missing", "", fmt.Sprintf("imagePullSecret %q not found in namespace %s%s", s.Name, c.pod.Namespace, c.suggest(KindSecret, s.Name)),
				"", ev, vars{"pullsecret": s.Name})
		}
	}
}

// officialImages are Docker Hub's most pulled official images, the names a
// typo in an image reference most often misses.
var officialImages = []string{
	"alpine", "amazoncorretto", "bash", "busybox", "caddy", "cassandra", "centos", "consul", "couchdb", "debian",
	"docker", "eclipse-temurin", "elasticsearch", "fedora", "ghost", "golang", "gradle", "haproxy", "hello-world", "httpd",
	"influxdb", "jetty", "kibana", "logstash", "mariadb", "maven", "memcached", "mongo", "mysql", "nats", "nextcloud",
	"nginx", "node", "openjdk", "perl", "php", "postgres", "python", "rabbitmq", "redis", "registry", "ruby", "rust",
	"sonarqube", "telegraf", "tomcat", "traefik", "ubuntu", "vault", "wordpress", "zookeeper",
}

// officialTypo returns " (did you mean nginx?)" when image is a Docker Hub
// official-image name one or two letters away from a well-known one.
func officialTypo(image string) string {
	if registryOf(image) != "docker.io" {
		return ""
	}
	name := strings.TrimPrefix(imagePath(image), "library/")
	if strings.Contains(name, "/") || slices.Contains(officialImages, name) || len(name) < 4 {
		return ""
	}
	limit := 1 // "ngnix" is two edits from "nginx": swapped letters count twice
	if len(name) >= 5 {
		limit = 2
	}
	best, bestD := "", limit+1
	for _, o := range officialImages {
		if d := Distance(name, o); d < bestD {
			best, bestD = o, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}
