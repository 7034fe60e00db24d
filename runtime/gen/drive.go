package gen

import (
	"context"
	"time"
)

// Pace says how fast and how long Drive generates.
type Pace struct {
	// Rate in events per second; 0 means as fast as the sink takes them.
	Rate float64
	// Count stops after this many events (0: no limit). With a Rate and a
	// Duration but no Count, Count becomes Rate × Duration, so that the
	// events are the same on every run.
	Count int64
	// Duration stops after this much wall-clock time (0: no limit).
	Duration time.Duration
	// MaxBatch is the most events handed to the sink at once (4096 when 0).
	MaxBatch int
	// Progress, when set, is called about every ProgressEvery (250 ms
	// when 0) from Drive's goroutine.
	Progress      func(Progress)
	ProgressEvery time.Duration

	// Now and Sleep replace the wall clock (tests). Sleep returns early
	// when ctx is done.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration)
}

// Progress is a snapshot of a run.
type Progress struct {
	Sent    int64
	Total   int64 // 0 when unknown (no count)
	Elapsed time.Duration
}

// Rate is the achieved rate in events per second.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Sent) / p.Elapsed.Seconds()
}

// minWait is the shortest sleep between batches: at high rates events go
// out in batches of about Rate × minWait instead of one wake-up each.
const minWait = 2 * time.Millisecond

// Drive generates events and hands them to send in batches, paced by a
// schedule measured from the start time (event k is due at k/Rate
// seconds), so that a slow batch is made up for by the next, larger one
// and the achieved rate stays at Rate under load. It returns when Count
// or Duration is reached, when ctx is done (not an error), or with the
// first error from send. The events slice passed to send is reused.
func Drive(ctx context.Context, g *Generator, p Pace, send func([]Event) error) (Progress, error) {
	now, sleep := p.Now, p.Sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = sleepCtx
	}
	if p.MaxBatch <= 0 {
		p.MaxBatch = 4096
	}
	if p.ProgressEvery <= 0 {
		p.ProgressEvery = 250 * time.Millisecond
	}
	if p.Count == 0 && p.Rate > 0 && p.Duration > 0 {
		p.Count = int64(p.Rate * p.Duration.Seconds())
		p.Duration = 0
	}
	evs := make([]Event, p.MaxBatch)
	start := now()
	lastProgress := start
	st := Progress{Total: p.Count}
	for {
		t := now()
		st.Elapsed = t.Sub(start)
		if p.Count > 0 && st.Sent >= p.Count || p.Duration > 0 && st.Elapsed >= p.Duration || ctx.Err() != nil {
			return st, nil
		}
		if p.Progress != nil && t.Sub(lastProgress) >= p.ProgressEvery {
			lastProgress = t
			p.Progress(st)
		}
		n := int64(p.MaxBatch)
		if p.Rate > 0 {
			due := int64(p.Rate*st.Elapsed.Seconds()) + 1 // event 0 is due at once
			n = min(n, due-st.Sent)
			if n <= 0 {
				next := time.Duration(float64(st.Sent) / p.Rate * float64(time.Second))
				sleep(ctx, max(next-st.Elapsed, minWait))
				continue
			}
		}
		if p.Count > 0 {
			n = min(n, p.Count-st.Sent)
		}
		batch := evs[:n]
		g.NextBatch(batch)
		if err := send(batch); err != nil {
			st.Elapsed = now().Sub(start)
			return st, err
		}
		st.Sent += n
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
