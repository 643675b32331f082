package emailtest_test

import (
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/emailtest"
)

const message = "From: Umfrage <umfrage@example.org>\r\n" +
	"To: firm@example.com\r\n" +
	"Subject: =?UTF-8?q?Einladung_zur_Umfrage_=C3=BCber_Digitalisierung?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=b1\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Gr=C3=BC=C3=9Fe! Hier geht es los:\r\n" +
	"https://survey.example.org/s/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL=\r\n" +
	"MN.\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"\r\n" +
	"<p><a href=\"https://survey.example.org/s/other\">Los</a></p>\r\n" +
	"--b1--\r\n"

func addr(srv *emailtest.Server) string {
	host, port := srv.Addr()
	return net.JoinHostPort(host, strconv.Itoa(port))
}

func TestServerReceives(t *testing.T) {
	srv := emailtest.NewServer(t)
	host, _ := srv.Addr()
	auth := smtp.PlainAuth("", srv.Username, srv.Password, host)
	if err := smtp.SendMail(addr(srv), auth, "umfrage@example.org", []string{"firm@example.com"}, []byte(message)); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, 5*time.Second)
	if len(got) != 1 || got[0].From != "umfrage@example.org" || len(got[0].To) != 1 || got[0].To[0] != "firm@example.com" {
		t.Fatalf("got %+v", got)
	}
	if s := got[0].Parsed.Header.Get("To"); s != "firm@example.com" {
		t.Errorf("To header %q", s)
	}
	link := emailtest.Link(t, got[0], "https://survey.example.org/s/")
	if link != "https://survey.example.org/s/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN" {
		t.Errorf("link %q: quoted-printable soft break or trailing dot not handled", link)
	}
	if text := emailtest.Text(t, got[0]); !strings.Contains(text, "Grüße!") {
		t.Errorf("text not decoded: %q", text)
	}
	if html := emailtest.HTML(t, got[0]); !strings.Contains(html, `href="https://survey.example.org/s/other"`) {
		t.Errorf("html part %q", html)
	}
	// Parsed is fresh on every call, so its Body can be read again.
	if a, b := srv.Messages()[0].Parsed, srv.Messages()[0].Parsed; a == b {
		t.Error("Messages shares one parsed message between calls")
	}
}

func TestServerDemandsLogin(t *testing.T) {
	srv := emailtest.NewServer(t)
	host, _ := srv.Addr()
	if err := smtp.SendMail(addr(srv), nil, "a@example.org", []string{"b@example.com"}, []byte(message)); err == nil {
		t.Error("accepted mail without AUTH")
	}
	wrong := smtp.PlainAuth("", srv.Username, "wrong", host)
	if err := smtp.SendMail(addr(srv), wrong, "a@example.org", []string{"b@example.com"}, []byte(message)); err == nil {
		t.Error("accepted a wrong password")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages kept", n)
	}
}
