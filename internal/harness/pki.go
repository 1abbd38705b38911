package harness

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ca is a certificate authority kept in memory to sign more client certs later (KubeconfigFor).
type ca struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
}

// pki is the cluster's certificate material; files live in dir (<run dir>/pki).
// ECDSA P-256 everywhere: key generation is instant, and every component accepts it
// (including ES256 for service-account tokens).
type pki struct {
	dir        string
	ca, proxy  *ca
	adminCert  []byte
	adminKey   []byte
	adminToken string
}

func newKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

func keyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

func newCA(cn string) (*ca, error) {
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour), // tolerate small clock skew
		NotAfter:              time.Now().AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &ca{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// leaf describes a certificate to issue.
type leaf struct {
	cn     string
	orgs   []string
	server bool // serverAuth (with SANs) in addition to / instead of clientAuth
	client bool
	ips    []string
	dns    []string
}

func (a *ca) issue(l leaf) (certPEM, keyPEMBytes []byte, err error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: l.cn, Organization: l.orgs},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(1, 0, 0),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		DNSNames:              l.dns,
	}
	for _, ip := range l.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	if l.server {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	if l.client {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, key.Public(), a.key)
	if err != nil {
		return nil, nil, err
	}
	kp, err := keyPEM(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), kp, nil
}

// newPKI writes everything the components need into dir:
// ca.crt, apiserver, admin (system:masters), apiserver-kubelet-client, front-proxy-ca and
// front-proxy-client, kwok and metrics-server serving certs, sa.key/sa.pub, tokens.csv.
func newPKI(dir string) (*pki, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	p := &pki{dir: dir}
	var err error
	if p.ca, err = newCA("podtui-harness-ca"); err != nil {
		return nil, err
	}
	if p.proxy, err = newCA("podtui-harness-front-proxy-ca"); err != nil {
		return nil, err
	}
	if err := p.write("ca.crt", p.ca.certPEM); err != nil {
		return nil, err
	}
	if err := p.write("front-proxy-ca.crt", p.proxy.certPEM); err != nil {
		return nil, err
	}
	loop := []string{"127.0.0.1"}
	leaves := []struct {
		name string
		ca   *ca
		l    leaf
	}{
		{"apiserver", p.ca, leaf{
			cn: "kube-apiserver", server: true, ips: []string{"127.0.0.1", "10.0.0.1"},
			dns: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		}},
		{"admin", p.ca, leaf{cn: "kubernetes-admin", orgs: []string{"system:masters"}, client: true}},
		{"apiserver-kubelet-client", p.ca, leaf{cn: "kube-apiserver-kubelet-client", orgs: []string{"system:masters"}, client: true}},
		{"front-proxy-client", p.proxy, leaf{cn: "front-proxy-client", client: true}},
		{"kwok", p.ca, leaf{cn: "kwok-controller", server: true, client: true, ips: loop, dns: []string{"localhost"}}},
		{"metrics-server", p.ca, leaf{
			cn: "metrics-server", server: true, ips: loop,
			dns: []string{"localhost", "metrics-server.kube-system.svc"},
		}},
	}
	for _, x := range leaves {
		crt, key, err := x.ca.issue(x.l)
		if err != nil {
			return nil, fmt.Errorf("issue %s: %w", x.name, err)
		}
		if err := p.write(x.name+".crt", crt); err != nil {
			return nil, err
		}
		if err := p.write(x.name+".key", key); err != nil {
			return nil, err
		}
		if x.name == "admin" {
			p.adminCert, p.adminKey = crt, key
		}
	}

	// Service-account token signing pair (ES256).
	sa, err := newKey()
	if err != nil {
		return nil, err
	}
	saKey, err := keyPEM(sa)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(sa.Public())
	if err != nil {
		return nil, err
	}
	if err := p.write("sa.key", saKey); err != nil {
		return nil, err
	}
	if err := p.write("sa.pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})); err != nil {
		return nil, err
	}

	// Static bearer token for the admin (--token-auth-file: token,user,uid,groups).
	tok := make([]byte, 16)
	rand.Read(tok)
	p.adminToken = hex.EncodeToString(tok)
	if err := p.write("tokens.csv", []byte(p.adminToken+",admin,admin,system:masters\n")); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *pki) path(name string) string { return filepath.Join(p.dir, name) }

func (p *pki) write(name string, data []byte) error {
	return os.WriteFile(p.path(name), data, 0o600)
}
