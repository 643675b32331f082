package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/surveybot/surveybot/bot"
	"github.com/surveybot/surveybot/channels/console"
	"github.com/surveybot/surveybot/dialogs"
)

func chatCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	langFlag := fs.String("lang", "de", "language of the dialog: de or en")
	file := fs.String("questionnaire", "", "a chamber's questionnaire file extending the shared core (default: the shared core)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	lang, err := dialogs.ParseLang(*langFlag)
	if err != nil {
		return fmt.Errorf("%w: --lang: %v", errUsage, err)
	}
	q, err := loadQuestionnaire(*file)
	if err != nil {
		return err
	}
	_, err = console.Run(ctx, bot.NewConversation(q, lang, nil), e.stdin, e.stdout)
	return err
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
	q, err := dialogs.Parse(file, data, dialogs.CoreResolver)
	if err != nil {
		return nil, err
	}
	return q, nil
}
