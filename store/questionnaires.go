package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/surveybot/surveybot/dialogs"
)

// RegisterQuestionnaire records a questionnaire version and its content
// hash. A version already recorded with other content is refused: a changed
// questionnaire needs a new version, or stored answers would change meaning.
func (db *DB) RegisterQuestionnaire(ctx context.Context, ref dialogs.Ref, source []byte) error {
	sum := sha256.Sum256(source)
	hash := hex.EncodeToString(sum[:])
	const ins = `INSERT INTO questionnaires (id, version, hash, source, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (id, version) DO NOTHING`
	if _, err := db.db.ExecContext(ctx, db.db.Rebind(ins), ref.ID, ref.Version, hash, string(source), db.utcNow()); err != nil {
		return fmt.Errorf("register questionnaire %s: %w", ref, err)
	}
	var stored string
	const q = `SELECT hash FROM questionnaires WHERE id = ? AND version = ?`
	if err := db.db.GetContext(ctx, &stored, db.db.Rebind(q), ref.ID, ref.Version); err != nil {
		return fmt.Errorf("read questionnaire %s: %w", ref, err)
	}
	if stored != hash {
		return fmt.Errorf("questionnaire %s was changed since it was first used; give it a new version", ref)
	}
	return nil
}
