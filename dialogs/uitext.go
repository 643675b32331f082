package dialogs

// UIText names a text that channels show around the dialog: invitations,
// erasure, command descriptions. They live here, beside the engine's own
// texts, so that all wording is in one catalogue, German first.
type UIText int

// The channel texts.
const (
	UIInvitationUnknown UIText = iota
	UIInvitationExpired
	UINeedInvitation
	UIDeleteAsk
	UIDeleteYes
	UIDeleteNo
	UIDeleted
	UIDeleteCancelled
	UINothingToDelete
	UIStopped
	UIPrivateOnly
	UIUnstorable
	UILate
	UIBusy
	UIUnsupported
	UICmdStart
	UICmdHelp
	UICmdStatus
	UICmdBack
	UICmdPause
	UICmdLanguage
	UICmdDelete
	UICmdStop

	// Texts of the web pages (channels/web).
	UIWebTitle
	UIWebNext
	UIWebBack
	UIWebSkip
	UIWebNA
	UIWebRestart
	UIWebTakePart
	UIWebLanguage
	UIWebLanguageName
	UIWebProgress
	UIWebHelp
	UIWebHintMulti
	UIWebAnswer
	UIWebScoresCaption
	UIWebScoresField
	UIWebScoresValue
	UIWebNotFoundTitle
	UIWebNotFound
	UIWebTooManyTitle
	UIWebTooMany
	UIWebForbiddenTitle
	UIWebForbidden
	UIWebTooLargeTitle
	UIWebTooLarge
	UIWebFailedTitle
	UIWebFailed
	UIWebUnsubscribeTitle
	UIWebUnsubscribeAsk
	UIWebUnsubscribeButton
	UIWebUnsubscribed
	UIWebEraseTitle
	UIWebEraseAsk
	UIWebNoItem

	// Texts of the Slack channel (channels/slack).
	UISlackMoment
	UISlackCommandHelp
	UISlackWelcome
	UISlackInvited
	UISlackMultiHint
	UISlackFailed
	UIPeerHeadSectorSize
	UIPeerHeadSector
	UIPeerHeadAll
	UIPeerLine
	UIPeerFew
	UIPeerNone
	UIWaveDone
	UIWaveNext
	UIWaveNextUnplanned
	UIWaveNotOpen
	UIWaveStarts
	UIOwnChangeHead
	UIOwnChangeLine
	UIDigestOff
	UIDigestSubscribed
	UIDigestUnsubscribed
	UIDigestWrongCode
	UIDigestTooManyCodes // %d: minutes until the next try
	UICampaignInvitation // %s: chamber
	UICampaignReminder   // %s: chamber
	UICampaignStart

	// Texts of the terminal (channels/console, surveybot chat).
	UIChatResume           // %s: the respondent's name
	UIChatResumeInvitation // %s: the invitation key, %s: the personal link
)

// Text returns both languages of a channel text.
func (k UIText) Text() Text {
	switch k {
	case UICampaignInvitation:
		return Text{"Guten Tag! %s lädt Sie zur Umfrage des Strategierats Niedersachsen zur Digitalisierung in Mittelstand und Handwerk ein. Sie dauert etwa 10 Minuten; Sie können jederzeit pausieren und am Ende sehen Sie Ihre Werte im Vergleich. Ihre Antworten werden nur zusammengefasst ausgewertet.",
			"Hello! %s invites you to the Strategierat Niedersachsen's survey on digitalisation in small businesses and crafts. It takes about 10 minutes; you can pause at any time and see your scores compared with others at the end. Your answers are only reported in summary."}
	case UICampaignReminder:
		return Text{"Guten Tag! Eine kurze Erinnerung von %s: Die Umfrage zur Digitalisierung läuft noch, und Ihre Antworten helfen allen Betrieben in Niedersachsen. Sie können dort weitermachen, wo Sie aufgehört haben.",
			"Hello! A short reminder from %s: the digitalisation survey is still open, and your answers help every business in Lower Saxony. You can continue where you left off."}
	case UICampaignStart:
		return Text{"Umfrage starten", "Start the survey"}
	case UIChatResume:
		return Text{"Ihre Antworten sind gespeichert. Weiter geht es mit „surveybot chat --respondent %s“, dort, wo Sie aufgehört haben.",
			"Your answers are saved. Continue where you stopped with “surveybot chat --respondent %s”."}
	case UIChatResumeInvitation:
		return Text{"Ihre Antworten sind gespeichert. Weiter geht es mit „surveybot chat --invitation %s“ oder über Ihren persönlichen Link %s, dort, wo Sie aufgehört haben.",
			"Your answers are saved. Continue where you stopped with “surveybot chat --invitation %s” or at your personal link %s."}
	case UIInvitationUnknown:
		return Text{"Diesen Einladungslink kennen wir nicht. Bitte prüfen Sie, ob Sie ihn vollständig übernommen haben, oder fragen Sie Ihre Kammer nach einer neuen Einladung.",
			"We do not know this invitation link. Please check that you copied all of it, or ask your chamber for a new invitation."}
	case UIInvitationExpired:
		return Text{"Diese Einladung ist abgelaufen. Bitte fragen Sie Ihre Kammer nach einer neuen Einladung.",
			"This invitation has expired. Please ask your chamber for a new invitation."}
	case UINeedInvitation:
		return Text{"Willkommen! Diese Umfrage zur Digitalisierung im Mittelstand und Handwerk in Niedersachsen ist nur mit einer persönlichen Einladung möglich. Sie erhalten sie von Ihrer Kammer, Innung oder Ihrem Verband, per E-Mail oder als Link.",
			"Welcome! This survey on digitalisation in small businesses and crafts in Lower Saxony needs a personal invitation. Your chamber, guild or association sends it by e-mail or as a link."}
	case UIWebEraseTitle:
		return Text{"Meine Daten löschen", "Delete my data"}
	case UIWebEraseAsk:
		return Text{"Möchten Sie wirklich alle Ihre Daten löschen? Ihre Antworten und dieser persönliche Link werden gelöscht, auf allen Wegen, auf denen Sie geantwortet haben. Das kann nicht rückgängig gemacht werden.",
			"Do you really want to delete all your data? Your answers and this personal link will be deleted, on every channel you answered on. This cannot be undone."}
	case UIDeleteAsk:
		return Text{"Möchten Sie wirklich alle Ihre Daten löschen? Ihre Antworten und die Verbindung zu diesem Chat werden gelöscht. Das kann nicht rückgängig gemacht werden.",
			"Do you really want to delete all your data? Your answers and the link to this chat will be deleted. This cannot be undone."}
	case UIDeleteYes:
		return Text{"Ja, alles löschen", "Yes, delete everything"}
	case UIDeleteNo:
		return Text{"Nein, behalten", "No, keep it"}
	case UIDeleted:
		return Text{"Ihre Daten wurden gelöscht. Vielen Dank für Ihr Interesse.", "Your data has been deleted. Thank you for your interest."}
	case UIDeleteCancelled:
		return Text{"Es wurde nichts gelöscht.", "Nothing was deleted."}
	case UINothingToDelete:
		return Text{"Wir haben keine Daten von Ihnen gespeichert.", "We have no data of yours stored."}
	case UIStopped:
		return Text{"In Ordnung, die Umfrage ist angehalten. Ihre Antworten bleiben gespeichert. Mit /start geht es weiter, mit /delete löschen Sie Ihre Daten.",
			"All right, the survey is stopped. Your answers stay saved. /start carries on; /delete deletes your data."}
	case UIUnstorable:
		return Text{"Ihre Nachricht enthält etwas, das wir nicht speichern können, und wurde nicht übernommen. Bitte senden Sie sie noch einmal ohne Sonderzeichen.",
			"Your message contains something we cannot store and was not taken. Please send it again without special characters."}
	case UIPrivateOnly:
		return Text{"Bitte schreiben Sie mir in einem privaten Chat; in Gruppen beantworte ich keine Fragen.", "Please write to me in a private chat; I do not answer questions in groups."}
	case UILate:
		return Text{"Ihre Nachricht „%s“ kam verspätet an, nachdem eine spätere bereits beantwortet war, und wurde nicht gewertet. Bitte senden Sie sie erneut, falls sie noch gilt.",
			"Your message “%s” arrived late, after a later one was already answered, and was not counted. Please send it again if it still applies."}
	case UIBusy:
		return Text{"Einen Moment bitte – Ihre vorige Eingabe wird noch verarbeitet.", "One moment please – your previous input is still being processed."}
	case UIUnsupported:
		return Text{"Bitte antworten Sie mit den Knöpfen oder mit Text.", "Please answer with the buttons or with text."}
	case UICmdStart:
		return Text{"Umfrage beginnen oder fortsetzen", "Start or continue the survey"}
	case UICmdHelp:
		return Text{"Hilfe zur aktuellen Frage", "Help with the current question"}
	case UICmdStatus:
		return Text{"Wie weit bin ich?", "How far am I?"}
	case UICmdBack:
		return Text{"Zur vorigen Frage", "Back to the previous question"}
	case UICmdPause:
		return Text{"Pause machen", "Take a break"}
	case UICmdLanguage:
		return Text{"Sprache wechseln (Deutsch/English)", "Switch language (Deutsch/English)"}
	case UICmdDelete:
		return Text{"Meine Daten löschen", "Delete my data"}
	case UICmdStop:
		return Text{"Umfrage anhalten", "Stop the survey"}
	case UIWebTitle:
		return Text{"Umfrage Digitalisierung in Niedersachsen", "Digitalisation survey Lower Saxony"}
	case UIWebNext:
		return Text{"Weiter", "Next"}
	case UIWebBack:
		return Text{"Zurück", "Back"}
	case UIWebSkip:
		return Text{"Überspringen", "Skip"}
	case UIWebNA:
		return Text{"Keine Angabe", "Prefer not to say"}
	case UIWebRestart:
		return Text{"Von vorn beginnen", "Start over"}
	case UIWebTakePart:
		return Text{"Doch teilnehmen", "Take part after all"}
	case UIWebLanguage:
		return Text{"Sprache", "Language"}
	case UIWebLanguageName:
		return Text{"Deutsch", "English"}
	case UIWebProgress:
		return Text{"Fortschritt", "Progress"}
	case UIWebHelp:
		return Text{"Erläuterung zur Frage", "About this question"}
	case UIWebHintMulti:
		return Text{"Mehrere Antworten möglich.", "You can choose several answers."}
	case UIWebAnswer:
		return Text{"Ihre Antwort", "Your answer"}
	case UIWebScoresCaption:
		return Text{"Ihre Ergebnisse", "Your results"}
	case UIWebScoresField:
		return Text{"Bereich", "Field"}
	case UIWebScoresValue:
		return Text{"Wert", "Score"}
	case UIWebNotFoundTitle:
		return Text{"Link nicht gültig", "Link not valid"}
	case UIWebNotFound:
		return Text{"Dieser Link führt zu keiner Umfrage. Vielleicht ist er unvollständig, abgelaufen oder die Daten wurden gelöscht. Bitte prüfen Sie, ob Sie den Link vollständig übernommen haben, oder fragen Sie Ihre Kammer nach einer neuen Einladung.",
			"This link does not lead to a survey. It may be incomplete or expired, or the data may have been deleted. Please check that you copied all of it, or ask your chamber for a new invitation."}
	case UIWebTooManyTitle:
		return Text{"Zu viele Versuche", "Too many attempts"}
	case UIWebTooMany:
		return Text{"Von Ihrem Anschluss kamen in kurzer Zeit zu viele ungültige Links. Bitte versuchen Sie es in einigen Minuten erneut.",
			"Too many invalid links came from your connection in a short time. Please try again in a few minutes."}
	case UIWebForbiddenTitle:
		return Text{"Formular nicht gültig", "Form not valid"}
	case UIWebForbidden:
		return Text{"Dieses Formular konnten wir nicht annehmen. Bitte öffnen Sie Ihren persönlichen Link erneut und versuchen Sie es noch einmal.",
			"We could not accept this form. Please open your personal link again and try once more."}
	case UIWebTooLargeTitle:
		return Text{"Eingabe zu lang", "Input too long"}
	case UIWebTooLarge:
		return Text{"Ihre Eingabe ist zu lang. Bitte gehen Sie zurück und kürzen Sie sie.", "Your input is too long. Please go back and shorten it."}
	case UIWebFailedTitle:
		return Text{"Ein Fehler ist aufgetreten", "Something went wrong"}
	case UIWebFailed:
		return Text{"Das hat leider nicht geklappt. Ihre bisherigen Antworten sind gespeichert. Bitte versuchen Sie es später erneut.",
			"Sorry, that did not work. Your answers so far are saved. Please try again later."}
	case UIWebUnsubscribeTitle:
		return Text{"E-Mails abbestellen", "Unsubscribe from e-mails"}
	case UIWebUnsubscribeAsk:
		return Text{"Möchten Sie keine E-Mails mehr zu dieser Umfrage erhalten?", "Would you like to receive no more e-mails about this survey?"}
	case UIWebUnsubscribeButton:
		return Text{"Keine E-Mails mehr senden", "Send no more e-mails"}
	case UIWebUnsubscribed:
		return Text{"Sie erhalten keine E-Mails mehr von uns.", "You will receive no more e-mails from us."}
	case UIWebNoItem:
		return Text{"Diesem Formular fehlte die Angabe, welche Frage es beantwortet; es wurde nichts gespeichert. Bitte antworten Sie hier noch einmal.",
			"This form did not say which question it answers, so nothing was saved. Please answer here once more."}
	case UISlackMoment:
		return Text{"Einen Moment … die Umfrage geht in unserer Direktnachricht weiter.", "One moment … the survey continues in our direct message."}
	case UISlackCommandHelp:
		return Text{"*/umfrage start* – Umfrage beginnen oder fortsetzen\n*/umfrage start <Schlüssel>* – mit Ihrer persönlichen Einladung beginnen\n*/umfrage status* – wie weit bin ich?\n*/umfrage language de|en* – Sprache wechseln\n*/umfrage delete* – meine Daten löschen\n*/umfrage help* – diese Hilfe\nDie Fragen stelle ich Ihnen in unserer Direktnachricht; dort können Sie auch einfach antworten oder „hilfe“, „zurück“ und „pause“ schreiben.",
			"*/umfrage start* – start or continue the survey\n*/umfrage start <key>* – start with your personal invitation\n*/umfrage status* – how far am I?\n*/umfrage language de|en* – switch language\n*/umfrage delete* – delete my data\n*/umfrage help* – this help\nI ask the questions in our direct message; there you can simply answer, or write “help”, “back” and “pause”."}
	case UISlackWelcome:
		return Text{"Willkommen! Hier können Sie an der Umfrage zur Digitalisierung im Mittelstand und Handwerk in Niedersachsen teilnehmen. Schreiben Sie mir einfach „start“ oder nutzen Sie /umfrage start.",
			"Welcome! Here you can take part in the survey on digitalisation in small businesses and crafts in Lower Saxony. Just write “start” to me or use /umfrage start."}
	case UISlackInvited:
		return Text{"Guten Tag! Sie sind persönlich zur Umfrage zur Digitalisierung im Mittelstand und Handwerk in Niedersachsen eingeladen. Sie können gleich hier antworten.",
			"Hello! You are personally invited to the survey on digitalisation in small businesses and crafts in Lower Saxony. You can answer right here."}
	case UISlackMultiHint:
		return Text{"Mehrfachauswahl: Kreuzen Sie alle zutreffenden Optionen an und drücken Sie dann „fertig ✓“.",
			"Multiple choice: tick all options that apply, then press “done ✓”."}
	case UISlackFailed:
		return Text{"Das hat leider nicht geklappt. Ihre bisherigen Antworten sind gespeichert. Bitte versuchen Sie es gleich noch einmal.",
			"Sorry, that did not work. Your answers so far are saved. Please try again in a moment."}
	case UIPeerHeadSectorSize:
		return Text{"Im Vergleich mit %d Organisationen derselben Branche und Größe:", "Compared with %d organisations of the same sector and size:"}
	case UIPeerHeadSector:
		return Text{"Im Vergleich mit %d Organisationen derselben Branche:", "Compared with %d organisations of the same sector:"}
	case UIPeerHeadAll:
		return Text{"Im Vergleich mit allen %d Teilnehmenden:", "Compared with all %d participants:"}
	case UIPeerLine:
		return Text{"%s: Sie %d, Vergleichsgruppe %d", "%s: you %d, peer group %d"}
	case UIPeerFew:
		return Text{"%s: noch zu wenige Vergleichswerte", "%s: too few peers yet"}
	case UIWaveDone:
		return Text{"Sie haben an der Befragung %s bereits teilgenommen; vielen Dank.", "You have already taken part in survey wave %s; thank you."}
	case UIWaveNext:
		return Text{"Die nächste Befragung (%s) beginnt am %s.", "The next wave (%s) starts on %s."}
	case UIWaveNextUnplanned:
		return Text{"Zur nächsten Befragung laden wir Sie wieder ein.", "We will invite you again to the next wave."}
	case UIWaveNotOpen:
		return Text{"Die Befragung hat noch nicht begonnen.", "The survey has not started yet."}
	case UIWaveStarts:
		return Text{"Die Befragung %s beginnt am %s. Bitte kommen Sie dann wieder.", "Survey wave %s starts on %s. Please come back then."}
	case UIOwnChangeHead:
		return Text{"Ihre Entwicklung seit der letzten Befragung (%s):", "Your change since the last wave (%s):"}
	case UIOwnChangeLine:
		return Text{"%s: %d (letzte Befragung %s: %d, %+d)", "%s: %d (last wave %s: %d, %+d)"}
	case UIPeerNone:
		return Text{"Für einen Vergleich mit anderen liegen noch zu wenige Antworten vor; Vergleiche zeigen wir erst ab 5 Antworten.",
			"There are too few answers yet for a comparison with others; comparisons are shown from 5 answers on."}
	case UIDigestOff:
		return Text{"Der Wochenbericht kann hier nicht abonniert werden.", "The weekly digest cannot be subscribed to here."}
	case UIDigestSubscribed:
		return Text{"Sie erhalten den Wochenbericht der Digitalisierungsindikatoren ab jetzt jeden Montag in diesem Chat. Abbestellen mit /unsubscribe.",
			"From now on you get the weekly digest of the digitalisation indicators in this chat every Monday. Stop it with /unsubscribe."}
	case UIDigestUnsubscribed:
		return Text{"Der Wochenbericht ist abbestellt.", "The weekly digest is cancelled."}
	case UIDigestWrongCode:
		return Text{"Dieser Code stimmt nicht. Den Code für den Wochenbericht erhalten Sie vom Betreiber der Umfrage.",
			"This code is wrong. The operator of the survey gives you the code for the weekly digest."}
	case UIDigestTooManyCodes:
		return Text{"Aus diesem Chat kamen zu viele falsche Codes. Bitte versuchen Sie es in %d Minuten erneut.",
			"Too many wrong codes came from this chat. Please try again in %d minutes."}
	}
	return Text{"?", "?"}
}

// In returns the text in lang.
func (k UIText) In(lang Lang) string { return k.Text().In(lang) }
