package demo

// Deliberately invalid records. After a good record, with probability
// BadRate, the generator writes a copy with a fresh id and one fault, so the
// collectors' refusals can be tested: every such record must be refused, and
// Summary.Bad counts them.
const (
	_                 = iota // 0: a good record
	faultMissingID           // the id is empty (CSV) or absent (NDJSON)
	faultUnknownEnum         // channel "fax", case kind "remboursement", survey mode "courrier"
	faultTimeOrder           // answered_at before arrived_at; completed_at before received_at
	faultBadTime             // arrived_at "14/05/2026 09:03"; received_at "2026-13-45T25:00:00Z"; answered_at empty
	faultUnknownValue        // outcome "perdu", case status "closed", scale "1-7"
	faultOffScale            // a score off the response's scale (surveys only)
)

// The faults each file type uses.
var (
	contactFaults = []int{faultMissingID, faultUnknownEnum, faultTimeOrder, faultBadTime, faultUnknownValue}
	caseFaults    = []int{faultMissingID, faultUnknownEnum, faultTimeOrder, faultBadTime, faultUnknownValue}
	surveyFaults  = []int{faultMissingID, faultUnknownEnum, faultBadTime, faultUnknownValue, faultOffScale, faultOffScale}
)
