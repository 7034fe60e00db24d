package gen

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// EventType is what the user did with the ad.
type EventType uint8

const (
	View EventType = iota
	Click
	Purchase
)

var eventTypeNames = [...]string{"view", "click", "purchase"}

func (t EventType) String() string { return eventTypeNames[t] }

// AdTypes are the ad formats, as in the Yahoo streaming benchmark the
// founding pipeline comes from. Ad j of a campaign has type AdTypes[j%5].
var AdTypes = [...]string{"banner", "modal", "sponsored-search", "mail", "mobile"}

// AdsPerCampaign is the number of distinct ads of each campaign.
const AdsPerCampaign = 10

// DefaultFileStart is the event-time origin of file output when none is
// given (2024-01-01T00:00:00Z), so that a file is reproducible.
const DefaultFileStart int64 = 1704067200000

// Config describes the event stream. The zero value of an optional field
// takes the default documented on it.
type Config struct {
	// Seed selects the stream: the same Config gives the same events.
	Seed uint64
	// Campaigns is the number of campaigns (10 when 0).
	Campaigns int
	// Start is the event-time origin, epoch milliseconds: event i is
	// nominally at Start + i*1000/EventRate.
	Start int64
	// EventRate is how many events fall in one second of event time
	// (1000 when 0). The CLI sets it to --rate, so that event time
	// follows the send schedule.
	EventRate float64
	// OutOfOrderMs is the largest delay of an event: its event_time is
	// behind its nominal time by a uniform random amount in
	// [0, OutOfOrderMs].
	OutOfOrderMs int64
	// LateFraction of the events are late: their event_time is behind the
	// nominal time by LateMinMs..LateMaxMs, more than the 1 s watermark
	// bound of the CTR query, so a window they belong to may have fired.
	LateFraction float64
	// LateMinMs and LateMaxMs bound the delay of late events (2000 and
	// 5000 when 0).
	LateMinMs, LateMaxMs int64
	// ViewPct, ClickPct: the event-type mix in percent (85 and 12 when
	// both are 0); the rest are purchases.
	ViewPct, ClickPct int
}

// Event is one generated ad event. Tests count events by Window and
// Campaign to check the engine's results independently.
type Event struct {
	Seq       int64 // 0-based position in the stream
	Nominal   int64 // nominal (send schedule) time, epoch ms
	EventTime int64 // event_time, epoch ms (Nominal minus the delay)
	Late      bool  // delayed by LateMinMs..LateMaxMs rather than OutOfOrderMs
	Type      EventType
	Campaign  int // 0-based campaign index; see Generator.CampaignID
	Ad        int // 0-based ad index within the campaign
	User      [2]uint64
	Page      [2]uint64
	IP        uint32
}

// Generator produces the event stream. It is not safe for concurrent use.
type Generator struct {
	cfg       Config
	rng       rng
	seq       int64
	msPerEvt  float64
	viewCut   uint64 // event type thresholds on a uniform 0..99
	clickCut  uint64
	lateCut   uint64 // late when a uniform 64-bit draw is below it
	oooSpan   uint64
	lateSpan  uint64
	campaigns []string // campaign ids
	adIDs     [][]string
	camJSON   [][]byte // `","campaign_id":"<id>","ip_address":"`
	adJSON    [][][]byte
}

// New validates cfg and returns a generator at the start of its stream.
func New(cfg Config) (*Generator, error) {
	if cfg.Campaigns == 0 {
		cfg.Campaigns = 10
	}
	if cfg.EventRate == 0 {
		cfg.EventRate = 1000
	}
	if cfg.LateMinMs == 0 && cfg.LateMaxMs == 0 {
		cfg.LateMinMs, cfg.LateMaxMs = 2000, 5000
	}
	if cfg.ViewPct == 0 && cfg.ClickPct == 0 {
		cfg.ViewPct, cfg.ClickPct = 85, 12
	}
	switch {
	case cfg.Campaigns < 1 || cfg.Campaigns > 1_000_000:
		return nil, fmt.Errorf("campaigns must be between 1 and 1000000, got %d", cfg.Campaigns)
	case !(cfg.EventRate > 0) || math.IsInf(cfg.EventRate, 0):
		return nil, fmt.Errorf("event rate must be a positive number, got %v", cfg.EventRate)
	case cfg.OutOfOrderMs < 0:
		return nil, fmt.Errorf("out-of-order delay must not be negative, got %d ms", cfg.OutOfOrderMs)
	case !(cfg.LateFraction >= 0 && cfg.LateFraction <= 1):
		return nil, fmt.Errorf("late fraction must be between 0 and 1, got %v", cfg.LateFraction)
	case cfg.LateMinMs < 0 || cfg.LateMaxMs < cfg.LateMinMs:
		return nil, fmt.Errorf("late delay range %d..%d ms is invalid", cfg.LateMinMs, cfg.LateMaxMs)
	case cfg.ViewPct < 0 || cfg.ClickPct < 0 || cfg.ViewPct+cfg.ClickPct > 100:
		return nil, errors.New("event mix: view and click percentages must be >= 0 and add up to at most 100")
	}
	g := &Generator{
		cfg:      cfg,
		msPerEvt: 1000 / cfg.EventRate,
		viewCut:  uint64(cfg.ViewPct),
		clickCut: uint64(cfg.ViewPct + cfg.ClickPct),
		oooSpan:  uint64(cfg.OutOfOrderMs) + 1,
		lateSpan: uint64(cfg.LateMaxMs-cfg.LateMinMs) + 1,
	}
	if f := cfg.LateFraction * 0x1p64; f >= 0x1p64 {
		g.lateCut = math.MaxUint64
	} else {
		g.lateCut = uint64(f)
	}
	// Campaign and ad ids do not depend on the seed: runs with different
	// seeds feed the same campaigns.
	width := len(strconv.Itoa(cfg.Campaigns))
	if width < 2 {
		width = 2
	}
	ids := rng{state: 0x5eed_ad5_0000_0001}
	g.campaigns = make([]string, cfg.Campaigns)
	g.adIDs = make([][]string, cfg.Campaigns)
	g.camJSON = make([][]byte, cfg.Campaigns)
	g.adJSON = make([][][]byte, cfg.Campaigns)
	for c := range g.campaigns {
		g.campaigns[c] = fmt.Sprintf("campaign-%0*d", width, c+1)
		g.camJSON[c] = []byte(`,"campaign_id":"` + g.campaigns[c] + `","ip_address":"`)
		g.adIDs[c] = make([]string, AdsPerCampaign)
		g.adJSON[c] = make([][]byte, AdsPerCampaign)
		for a := range AdsPerCampaign {
			id := string(appendUUID(nil, ids.next(), ids.next()))
			g.adIDs[c][a] = id
			g.adJSON[c][a] = []byte(`","ad_id":"` + id + `","ad_type":"` + AdTypes[a%len(AdTypes)] + `","event_type":"`)
		}
	}
	g.Reset()
	return g, nil
}

// Config returns the configuration with defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Reset rewinds the generator to the start of its stream.
func (g *Generator) Reset() {
	g.rng = rng{state: g.cfg.Seed ^ 0x9e3779b97f4a7c15}
	g.seq = 0
}

// CampaignID is the campaign_id of campaign index c; it is also the
// Kafka record key.
func (g *Generator) CampaignID(c int) string { return g.campaigns[c] }

// Campaigns lists every campaign id, in index order.
func (g *Generator) Campaigns() []string { return g.campaigns }

// AdID is the ad_id of ad a of campaign c.
func (g *Generator) AdID(c, a int) string { return g.adIDs[c][a] }

// Next fills e with the next event of the stream.
func (g *Generator) Next(e *Event) {
	r := &g.rng
	e.Seq = g.seq
	e.Nominal = g.cfg.Start + int64(float64(g.seq)*g.msPerEvt)
	g.seq++
	u := r.next()
	// Low bits pick type, campaign and ad; the whole word decides lateness.
	switch p := (u & 0xffff) % 100; {
	case p < g.viewCut:
		e.Type = View
	case p < g.clickCut:
		e.Type = Click
	default:
		e.Type = Purchase
	}
	e.Campaign = int((u >> 16 & 0xffffff) % uint64(len(g.campaigns)))
	e.Ad = int((u >> 40 & 0xffff) % AdsPerCampaign)
	d := r.next()
	e.Late = r.next() < g.lateCut // always drawn: the stream's shape does not depend on the fraction
	if e.Late {
		e.EventTime = e.Nominal - g.cfg.LateMinMs - int64(d%g.lateSpan)
	} else {
		e.EventTime = e.Nominal - int64(d%g.oooSpan)
	}
	e.User[0], e.User[1] = r.next(), r.next()
	e.Page[0], e.Page[1] = r.next(), r.next()
	ip := r.next()
	// A public-looking unicast IPv4 address: first octet 1..223.
	e.IP = uint32(1+ip%223)<<24 | uint32(ip>>8)&0xffffff
}

// NextBatch fills every element of evs with the next events.
func (g *Generator) NextBatch(evs []Event) {
	for i := range evs {
		g.Next(&evs[i])
	}
}

// AppendJSON appends e as one JSON object (no newline), fields in the
// order user_id, page_id, ad_id, ad_type, event_type, event_time,
// campaign_id, ip_address.
func (g *Generator) AppendJSON(dst []byte, e *Event) []byte {
	dst = append(dst, `{"user_id":"`...)
	dst = appendUUID(dst, e.User[0], e.User[1])
	dst = append(dst, `","page_id":"`...)
	dst = appendUUID(dst, e.Page[0], e.Page[1])
	dst = append(dst, g.adJSON[e.Campaign][e.Ad]...)
	dst = append(dst, eventTypeNames[e.Type]...)
	dst = append(dst, `","event_time":`...)
	dst = strconv.AppendInt(dst, e.EventTime, 10)
	dst = append(dst, g.camJSON[e.Campaign]...)
	dst = appendIP(dst, e.IP)
	return append(dst, `"}`...)
}

// AppendLines generates n events and appends them as JSON lines.
func (g *Generator) AppendLines(dst []byte, n int) []byte {
	var e Event
	for range n {
		g.Next(&e)
		dst = g.AppendJSON(dst, &e)
		dst = append(dst, '\n')
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendUUID writes 128 bits as a version-4 style UUID
// (8-4-4-4-12 lowercase hex digits).
func appendUUID(dst []byte, hi, lo uint64) []byte {
	hi = hi&^(0xf<<12) | 0x4<<12 // version 4
	lo = lo&^(0x3<<62) | 0x2<<62 // variant 10
	var b [36]byte
	put := func(at int, v uint64, digits int) {
		for i := digits - 1; i >= 0; i-- {
			b[at+i] = hexDigits[v&0xf]
			v >>= 4
		}
	}
	put(0, hi>>32, 8)
	b[8] = '-'
	put(9, hi>>16&0xffff, 4)
	b[13] = '-'
	put(14, hi&0xffff, 4)
	b[18] = '-'
	put(19, lo>>48, 4)
	b[23] = '-'
	put(24, lo&0xffffffffffff, 12)
	return append(dst, b[:]...)
}

func appendIP(dst []byte, ip uint32) []byte {
	dst = strconv.AppendUint(dst, uint64(ip>>24), 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, uint64(ip>>16&0xff), 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, uint64(ip>>8&0xff), 10)
	dst = append(dst, '.')
	return strconv.AppendUint(dst, uint64(ip&0xff), 10)
}

// rng is splitmix64: tiny, fast, and fixed here so that a seed gives the
// same stream on every Go version.
type rng struct{ state uint64 }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
