package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// CampaignMessageStatuses are the states of a campaign message in SQL,
// each a series of surveybot_campaign_messages.
func CampaignMessageStatuses() []string {
	return []string{"queued", "sending", "sent", "failed", "skipped"}
}

// CampaignMessageCount is how many campaign messages of one channel are in
// one state.
type CampaignMessageCount struct {
	Channel string
	Status  string
	N       int
}

// CampaignCounter counts the campaign messages of all instances, as the
// SQL database holds them.
type CampaignCounter interface {
	CampaignMessageCounts(ctx context.Context) ([]CampaignMessageCount, error)
}

// campaignCollector reads the campaign messages' states from SQL at each
// scrape: the queue and the sends of every instance, which a counter in
// one process could not give.
type campaignCollector struct {
	src      CampaignCounter
	channels []string
	log      *slog.Logger
	desc     *prometheus.Desc
}

// CampaignMessages adds surveybot_campaign_messages{channel, status}, the
// campaign messages of every instance by channel and state, read from src
// at each scrape; every channel given has a series of every state, 0 where
// it has none.
func (m *Metrics) CampaignMessages(src CampaignCounter, log *slog.Logger, channels ...string) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&campaignCollector{src: src, channels: channels, log: log,
		desc: prometheus.NewDesc(namespace+"_campaign_messages",
			"Campaign messages of all instances by channel and state (queued, sending, sent, failed, skipped), read from the SQL database at each scrape.",
			[]string{"channel", "status"}, nil)})
}

func (c *campaignCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *campaignCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.src.CampaignMessageCounts(ctx)
	if err != nil {
		// A scrape without these series beats a failed scrape: the other
		// metrics say most about a database that does not answer.
		c.log.Warn("count campaign messages for metrics", slog.Any("error", err))
		return
	}
	n := map[[2]string]int{}
	for _, ch := range c.channels {
		for _, s := range CampaignMessageStatuses() {
			n[[2]string{ch, s}] = 0
		}
	}
	for _, cnt := range counts {
		n[[2]string{cnt.Channel, cnt.Status}] += cnt.N
	}
	for k, v := range n {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(v), k[0], k[1])
	}
}
