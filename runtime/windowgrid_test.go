package runtime

import (
	"testing"

	"github.com/streamsql/streamsql/runtime/core"
)

func TestClosesWindow(t *testing.T) {
	tumble := []fireGrid{{period: 10_000}}
	hopOffset := []fireGrid{{period: 5_000, offset: 1_000}}
	for _, c := range []struct {
		g       []fireGrid
		old, cw int64
		want    bool
	}{
		{tumble, core.MinWatermark, 5, true},
		{tumble, 0, 9_998, false},
		{tumble, 0, 9_999, true}, // window [0, 10 s) fires at 9 999
		{tumble, 9_999, 19_998, false},
		{tumble, 9_999, 19_999, true},
		{tumble, -20_001, -10_001, true}, // [-20 s, -10 s) fires at -10 001
		{tumble, -20_001, -10_002, false},
		{tumble, -10_000, -5_000, false},
		{hopOffset, 0, 999, true}, // a window ends at 1 000
		{hopOffset, 999, 5_999, true},
		{hopOffset, 1_000, 5_998, false},
		{nil, 0, 100_000, false},
	} {
		if got := closesWindow(c.g, c.old, c.cw); got != c.want {
			t.Errorf("closesWindow(%v, %d, %d) = %v, want %v", c.g, c.old, c.cw, got, c.want)
		}
	}
}
