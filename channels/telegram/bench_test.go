package telegram_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/channels/telegram"
	"github.com/surveybot/surveybot/store/storetest"
)

// BenchmarkWebhook measures webhook updates per second end to end: many
// chats at once post typed answers to the webhook over HTTP; each update is
// checked, deduplicated, stepped, stored and answered through the send
// queue to the fake Bot API. It reports updates/s and the latency of the
// webhook call (Telegram's wait). Run:
//
//	SURVEYBOT_TEST_POSTGRES_DSN=… SURVEYBOT_TEST_REDIS_URL=… \
//	go test -run='^$' -bench=Webhook -benchtime=10000x ./channels/telegram
func BenchmarkWebhook(b *testing.B) {
	variants := []rigOptions{{mode: telegram.ModeWebhook}}
	if storetest.ServersEnabled(b) {
		variants = append(variants, rigOptions{mode: telegram.ModeWebhook, postgres: true})
	}
	for _, o := range variants {
		name := "sqlite+memory"
		if o.postgres {
			name = "postgres+redis"
		}
		b.Run(name, func(b *testing.B) { benchWebhook(b, o, 32) })
	}
}

// typedAnswers answer the shared questionnaire as a business, typed.
var typedAnswers = []string{"ja", "1", "1", "1", "30159", "2", "2 fertig", "4", "ja", "ja", "2", "nein", "2 fertig", "2 fertig",
	"2 3 fertig", "3", "2", "3", "4", "2", "1", "4", "nein", "2", "3", "2", "2", "ja", "2", "1"}

func benchWebhook(b *testing.B, o rigOptions, chats int) {
	r := newRig(b, o)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: chats}}
	var (
		next atomic.Int64
		mu   sync.Mutex
		lat  = make([]time.Duration, 0, b.N)
		wg   sync.WaitGroup
	)
	b.ResetTimer()
	start := time.Now()
	for c := range chats {
		wg.Go(func() {
			var local []time.Duration
			defer func() { mu.Lock(); lat = append(lat, local...); mu.Unlock() }()
			for round := 0; ; round++ {
				chat := int64(1_000_000 + round*chats + c)
				for _, in := range append([]string{"/start"}, typedAnswers...) {
					if next.Add(1) > int64(b.N) {
						return
					}
					u := r.fake.SendText(chat, in)
					t0 := time.Now()
					code, err := post(client, r.webhook, u)
					local = append(local, time.Since(t0))
					if err != nil || code != http.StatusOK {
						b.Errorf("webhook: %d %v", code, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

func post(client *http.Client, url string, u models.Update) (int, error) {
	body, err := json.Marshal(u)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
