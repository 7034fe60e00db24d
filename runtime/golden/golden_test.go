package golden

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/streamsql/streamsql/sql/testflag"
)

// TestGolden runs every case under testdata/golden.
func TestGolden(t *testing.T) {
	files, err := Files(filepath.Join("..", "..", "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("want at least 30 golden cases, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			diff, err := RunFile(ctx, f, *testflag.Update)
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("%s:\n%s", f, diff)
			}
		})
	}
}
