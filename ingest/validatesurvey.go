package ingest

import (
	"sort"
	"strconv"
	"strings"

	"globaloffice/model"
)

// Survey validates a survey response.
func (v *Validator) Survey(raw RawRecord, defaultSource string) (model.SurveyResponse, []FieldError) {
	c := v.start(KindSurveys, raw, defaultSource)
	out := model.SurveyResponse{
		Source:    c.source,
		ID:        c.get(sID),
		Site:      c.get(sSite),
		Channel:   model.Channel(c.oneOf(sChannel, v.Ref.Channels, "channel")),
		Survey:    c.required(sSurvey),
		ContactID: c.get(sContactID),
		Comment:   c.get(sComment),
	}
	m := c.get(sMode)
	out.Mode = model.SurveyMode(c.closed(sMode, model.SurveyMode(m).Valid(), "email, sms, kiosk, web, phone, mystery_shopper"))
	sc := c.get(sScale)
	out.Scale = model.Scale(c.closed(sScale, model.Scale(sc).Valid(), "1-4, 1-5, 0-10"))
	if t := c.time(sAnsweredAt, true); t != nil {
		out.AnsweredAt = *t
		if c.loc != nil {
			out.AnsweredDate = model.LocalDate(*t, c.loc)
		}
	}
	own := v.scoreScales(c)
	out.Scores = map[string]int{}
	var dims []namedValue
	for _, e := range c.f.extra {
		if strings.HasPrefix(e.name, "score_") {
			dims = append(dims, e)
		}
	}
	sort.Slice(dims, func(i, j int) bool { return dims[i].name < dims[j].name })
	for _, d := range dims {
		k, s := d.name, strings.TrimSpace(d.value)
		if s == "" {
			continue // this survey does not ask that dimension
		}
		dim := strings.TrimPrefix(k, "score_")
		if !v.Ref.Dimensions[dim] {
			c.fail(k, "unknown survey dimension %q (configured: %s)", dim, keys(v.Ref.Dimensions))
			continue
		}
		scale, ok := own[dim]
		if !ok {
			scale = out.Scale
		} else if scale != out.Scale {
			if out.Scales == nil {
				out.Scales = map[string]model.Scale{}
			}
			out.Scales[dim] = scale
		}
		lo, hi := scale.Bounds()
		n, err := strconv.Atoi(s)
		if err != nil {
			if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == float64(int(f)) {
				n, err = int(f), nil
			}
		}
		if err != nil {
			c.fail(k, "%q is not a whole number", s)
			continue
		}
		if scale.Valid() && (n < lo || n > hi) {
			if ok {
				c.fail(k, "%d is off the %s scale of %s", n, scale, dim)
			} else {
				c.fail(k, "%d is off the %s scale", n, scale)
			}
			continue
		}
		out.Scores[dim] = n
	}
	if len(out.Scores) == 0 && len(c.errs) == 0 {
		c.fail("scores", "no score: at least one score_<dimension> is required")
	}
	return out, c.errs
}

// scoreScales reads the scores' own scales: each scale_<dimension> sent,
// and the scale configured for a dimension (Reference.Scales) when none
// is sent. A scale sent for a dimension whose scale is configured must be
// that one: a questionnaire that asks "recommend" on 1–5 where 0–10 is
// configured would otherwise be read as detractors.
func (v *Validator) scoreScales(c *recordCheck) map[string]model.Scale {
	own := make(map[string]model.Scale, len(v.Ref.Scales)+1)
	for dim, s := range v.Ref.Scales {
		own[dim] = s
	}
	for _, e := range c.f.extra {
		dim, ok := strings.CutPrefix(e.name, "scale_")
		s := strings.TrimSpace(e.value)
		if !ok || s == "" {
			continue
		}
		sc := model.Scale(s)
		switch fixed, isFixed := v.Ref.Scales[dim]; {
		case !v.Ref.Dimensions[dim]:
			c.fail(e.name, "unknown survey dimension %q (configured: %s)", dim, keys(v.Ref.Dimensions))
		case !sc.Valid():
			c.fail(e.name, "%q is not a scale (1-4, 1-5, 0-10)", s)
			own[dim] = "" // refused: its score is not checked against another scale
		case isFixed && sc != fixed:
			c.fail(e.name, "%s is configured on %s (ingest.survey_scales), not %s", dim, fixed, sc)
			own[dim] = ""
		default:
			own[dim] = sc
		}
	}
	return own
}
