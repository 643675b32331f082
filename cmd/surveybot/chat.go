package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/user"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/console"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

func chatCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	silence(fs)
	langFlag := fs.String("lang", "de", "language of a new dialog: de or en")
	cfgPath := fs.String("config", "", "config file (default: embedded defaults, SQLite in ./surveybot.db)")
	who := fs.String("respondent", defaultRespondent(), "who is answering; the same name resumes the same response")
	invitation := fs.String("invitation", "", "a personal invitation key: continue that invitation's response, wherever it was begun")
	file := fs.String("questionnaire", "", "a chamber's questionnaire file extending the shared core (overrides questionnaire.file)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	lang, err := dialogs.ParseLang(*langFlag)
	if err != nil {
		return fmt.Errorf("%w: --lang: %w", errUsage, err)
	}
	cfg, err := loadConfig(*cfgPath, e)
	if err != nil {
		return err
	}
	if *file != "" {
		cfg.Questionnaire.File = *file
	}
	// The terminal belongs to the dialog: only warnings go to stderr.
	if cfg.Log.Level == "info" {
		cfg.Log.Level = "warn"
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, e.stderr), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	conv := a.svc.Conversation(survey.Identity{Channel: survey.Console, External: *who}, lang)
	if *invitation != "" {
		conv.WithInvitation(*invitation)
	}
	resume := func(l dialogs.Lang) string { return fmt.Sprintf(dialogs.UIChatResume.In(l), *who) }
	if *invitation != "" {
		link := a.links(*invitation).Web
		resume = func(l dialogs.Lang) string {
			return fmt.Sprintf(dialogs.UIChatResumeInvitation.In(l), *invitation, link)
		}
	}
	_, err = console.Run(ctx, conv, e.stdin, e.stdout, console.WithResume(resume))
	switch {
	case errors.Is(err, bot.ErrUnknownInvitation):
		return fmt.Errorf("%s", dialogs.UIInvitationUnknown.In(lang))
	case errors.Is(err, bot.ErrExpiredInvitation):
		return fmt.Errorf("%s", dialogs.UIInvitationExpired.In(lang))
	}
	return err
}

func defaultRespondent() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if h, err := os.Hostname(); err == nil {
		return h
	}
	return "local"
}

// loadQuestionnaire loads a questionnaire file, or the embedded core if file is "".
func loadQuestionnaire(file string) (*dialogs.Questionnaire, error) {
	if file == "" {
		return dialogs.LoadCore()
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read questionnaire: %w", err)
	}
	return dialogs.Parse(file, data, dialogs.CoreResolver)
}
