package campaigns_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/surveybot/surveybot/campaigns"
	"github.com/surveybot/surveybot/campaigns/campaignstest"
	"github.com/surveybot/surveybot/dialogs/dialogstest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// TestCampaignsOfTwoWaves launches two campaigns in two waves to the same
// members: each one's table counts its own invitations and the responses
// of its wave only, so the second shows nothing before anyone answered
// it, a firm that completed the first wave is invited and counted again,
// and the first campaign cannot be launched once its wave is over.
func TestCampaignsOfTwoWaves(t *testing.T) {
	for name, db := range storetest.DBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e := campaignstest.NewEnv(t, db, threeMembers)
			c := e.Runner(t)
			autumn, err := c.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Herbst", Channels: []survey.Channel{"email", "slack"}, End: "2026-12-31"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Launch(ctx, operator, autumn.ID); err != nil {
				t.Fatal(err)
			}
			testrig.WaitFor(t, "autumn's invitations", 10*time.Second, func() bool { return stats(t, c, autumn.ID).Total.Sent == 3 })
			complete(t, db, survey.Identity{Channel: "web", External: "berg-autumn"}, e.Senders["email"].To("berg@example.org")[0].Key)

			// The next wave starts; the chamber's winter campaign invites to it.
			start := time.Now().Add(-time.Second).UTC().Truncate(time.Second)
			winterWave, err := db.CreateWave(ctx, survey.Wave{Name: "2027-1", StartsAt: start, EndsAt: start.AddDate(0, 3, 0), Questionnaire: dialogstest.Core(t).Ref()})
			if err != nil {
				t.Fatal(err)
			}
			e.Clock.Set(start.Add(time.Hour))
			winter, err := c.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Winter", Channels: []survey.Channel{"email", "slack"},
				Wave: "2027-1", Start: start.Format(time.RFC3339), End: start.AddDate(0, 2, 0).Format(time.DateOnly), QuietHours: "none", QuietSunday: new(bool)})
			if err != nil {
				t.Fatal(err)
			}
			if winter.WaveID != winterWave.ID || winter.Wave != "2027-1" {
				t.Errorf("winter campaign in wave %q (%s), want 2027-1", winter.Wave, winter.WaveID)
			}
			if res, err := c.Launch(ctx, operator, winter.ID); err != nil || res.Invited != 3 {
				t.Fatalf("winter launch = %+v, %v; want the same 3 members invited again", res, err)
			}
			if tot := stats(t, c, winter.ID).Total; tot.Invited != 3 || tot.Opened != 0 || tot.Consented != 0 || tot.Completed != 0 {
				t.Errorf("winter before anyone answered: %+v, want 3 invited and nothing else", tot)
			}
			testrig.WaitFor(t, "winter's invitations", 10*time.Second, func() bool { return stats(t, c, winter.ID).Total.Sent == 3 })
			if got := e.Senders["email"].To("berg@example.org"); len(got) != 2 {
				t.Errorf("berg@, who completed autumn, got %d messages, want the invitations of both waves", len(got))
			}
			complete(t, db, survey.Identity{Channel: "web", External: "alt-winter"}, e.Senders["email"].To("alt@example.org")[1].Key)

			if tot := stats(t, c, autumn.ID).Total; tot.Invited != 3 || tot.Consented != 1 || tot.Completed != 1 {
				t.Errorf("autumn's table: %+v, want 3 invited, 1 consented, 1 completed (Berg), not Alt's winter answer", tot)
			}
			if tot := stats(t, c, winter.ID).Total; tot.Invited != 3 || tot.Consented != 1 || tot.Completed != 1 {
				t.Errorf("winter's table: %+v, want 3 invited, 1 consented, 1 completed (Alt), not Berg's autumn answer", tot)
			}
			if _, err := c.Launch(ctx, operator, autumn.ID); !errors.Is(err, survey.ErrCampaignState) {
				t.Errorf("launching autumn again in winter: %v, want a refusal (its wave is over)", err)
			}
			if _, err := c.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Zu früh", Wave: "2027-1",
				Start: start.Add(-48 * time.Hour).Format(time.RFC3339), End: "2027-02-01"}); !errors.Is(err, campaigns.ErrInvalidCampaign) {
				t.Errorf("a campaign starting before its wave: %v, want ErrInvalidCampaign", err)
			}
			if _, err := c.Create(ctx, operator, campaigns.Spec{Chamber: "hwk_h", Name: "Unbekannt", Wave: "2031-9", End: "2027-02-01"}); !errors.Is(err, campaigns.ErrInvalidCampaign) {
				t.Errorf("a campaign of an unknown wave: %v, want ErrInvalidCampaign", err)
			}
		})
	}
}
