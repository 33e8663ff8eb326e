// Package calendar knows the French public holidays of each calendar zone
// (metropolitan France, Alsace-Moselle and the five overseas departments) and
// counts working days, on which the delays of the public charter are measured
// ("a reply within 2 working days").
//
// Dates are civil dates (type Date: days since 1970-01-01), taken in the
// site's local time: convert a stored UTC instant with LocalDate or
// LocalDateIn before counting.
//
// The boundary rule, stated here and followed in two places:
// WorkingDaysBetween(zone, received, completed) counts the working days d
// with received < d ≤ completed. A case completed on the day it was received
// took 0 working days; received on a Friday (at any hour) and completed the
// next Tuesday, it took 2 (Monday and Tuesday). A working day is Monday to
// Friday and not a public holiday of the zone. The indicator engine counts
// the same days in SQL (indicators/compile.go, from HolidayDates), and its
// TestWorkingDaysEveryZone checks that SQL on hand-worked delays in every
// zone, as this package's tests check WorkingDaysBetween.
//
// The national days come from github.com/rickar/cal/v2/fr; the
// Alsace-Moselle days (Good Friday, 26 December) and the overseas
// abolition-of-slavery days are added here.
package calendar
