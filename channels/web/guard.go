package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// securityHeaders sets the headers every response carries. The token is in
// the URL, so no referrer may leak it and no cache may keep the page.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// csrfToken is the hidden form field that proves a form came from a page
// of ours for this token.
func (c *Channel) csrfToken(token string) string {
	m := hmac.New(sha256.New, c.cfg.SecretKey)
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (c *Channel) csrfOK(token, got string) bool {
	return hmac.Equal([]byte(c.csrfToken(token)), []byte(got))
}

// The guessing block is per address, and an address may be shared: an
// office, a chamber's training centre, a mobile carrier's NAT. So that one
// guesser there does not lock out everyone else, a browser that has opened
// a personal link gets a cookie, scoped to that link's path and signed
// with the secret key, and passes the block for that link alone. This
// gives a blocked guesser no oracle: without the key no cookie can be made
// for a guessed token, so every token without its cookie still gets the
// same 429, valid or not. The price is that a link first opened from a
// blocked address waits out the block like any other.
const openedCookie = "opened"

// openedValue is the cookie value that shows token's link was opened in
// this browser; apart from the CSRF value, which is in every page.
func (c *Channel) openedValue(token string) string {
	m := hmac.New(sha256.New, c.cfg.SecretKey)
	m.Write([]byte("opened\x00"))
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// rememberOpened sets the cookie of token's link, which has just been
// shown.
func (c *Channel) rememberOpened(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: openedCookie, Value: c.openedValue(token), Path: "/s/" + token,
		MaxAge: int(c.cfg.InvitationTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || strings.HasPrefix(c.cfg.BaseURL, "https://"),
	})
}

// openedHere reports whether the request carries the cookie of token's
// link.
func (c *Channel) openedHere(r *http.Request, token string) bool {
	want := c.openedValue(token)
	for _, k := range r.CookiesNamed(openedCookie) {
		if hmac.Equal([]byte(k.Value), []byte(want)) {
			return true
		}
	}
	return false
}

// clientIP is the address guesses are counted against.
func (c *Channel) clientIP(r *http.Request) string {
	if c.cfg.ForwardedFor {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// guessLimiter counts wrong tokens per client address, so nobody can try
// keys in bulk. It is per instance: behind several instances, an attacker
// gets the limit once per instance, which against 128-bit keys is harmless.
type guessLimiter struct {
	mu      sync.Mutex
	limit   int
	every   rate.Limit
	clients map[string]*rate.Limiter
	swept   time.Time
}

func newGuessLimiter(limit int, window time.Duration) *guessLimiter {
	return &guessLimiter{limit: limit, every: rate.Limit(float64(limit) / window.Seconds()), clients: map[string]*rate.Limiter{}}
}

// blocked reports whether ip has used up its guesses, and when to retry.
func (g *guessLimiter) blocked(ip string, now time.Time) (bool, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	l, ok := g.clients[ip]
	if !ok {
		return false, 0
	}
	tokens := l.TokensAt(now)
	if tokens >= 1 {
		return false, 0
	}
	wait := time.Duration((1 - tokens) / float64(g.every) * float64(time.Second))
	return true, wait
}

// wrong counts one wrong or expired token from ip.
func (g *guessLimiter) wrong(ip string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sweep(now)
	l, ok := g.clients[ip]
	if !ok {
		l = rate.NewLimiter(g.every, g.limit)
		g.clients[ip] = l
	}
	l.AllowN(now, 1)
}

// sweep forgets clients whose guesses have all come back, once a minute.
func (g *guessLimiter) sweep(now time.Time) {
	if now.Sub(g.swept) < time.Minute {
		return
	}
	g.swept = now
	for ip, l := range g.clients {
		if l.TokensAt(now) >= float64(g.limit) {
			delete(g.clients, ip)
		}
	}
}

// retryAfter formats a wait as whole seconds for the Retry-After header.
func retryAfter(d time.Duration) string {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return strconv.Itoa(s)
}
