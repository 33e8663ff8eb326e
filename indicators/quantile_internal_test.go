package indicators

import (
	"context"
	"fmt"
	"testing"

	"globaloffice/store/chtest"
)

// quantileSQL against the definition it stands for, on ClickHouse: the
// ⌈p·n⌉-th value of the sorted values, for every group size from 1 to
// 400, with ties, negative values and zeros, alone and with a condition
// (a group where it holds for no row gives 0, as the empty sort did).
func TestQuantileSQLIsNearestRank(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	// Group g holds g values; x repeats values (ties) and crosses zero.
	rows := "SELECT g, toFloat64(intDiv((x * 7919 + g * 13) % 97, 3)) - 10 AS v, x % 3 = 0 AS c " +
		"FROM (SELECT number + 1 AS g, arrayJoin(range(toUInt64(number + 1))) AS x FROM numbers(400))"
	for _, p := range []float64{0.9, 0.5, 0.95, 0.99, 0.3, 0.7, 0.15, 1, 0.000001, 0.333333} {
		millionths := max(1, int64(p*1e6+0.5))
		for _, cond := range []string{"", "c"} {
			want := fmt.Sprintf("toFloat64(arrayElement(arraySort(groupArray(v)), toUInt64(intDiv(%d * count() + 999999, 1000000))))", millionths)
			if cond != "" {
				want = fmt.Sprintf("toFloat64(arrayElement(arraySort(groupArrayIf(v, c)), toUInt64(intDiv(%d * countIf(c) + 999999, 1000000))))", millionths)
			}
			q := fmt.Sprintf("SELECT count(), countIf(a != b) FROM (SELECT g, %s AS a, %s AS b FROM (%s) GROUP BY g)",
				want, quantileSQL(p, "v", cond), rows)
			var groups, wrong uint64
			if err := db.Conn().QueryRow(ctx, q).Scan(&groups, &wrong); err != nil {
				t.Fatalf("p %v, cond %q: %v", p, cond, err)
			}
			if groups != 400 || wrong != 0 {
				t.Errorf("p %v, cond %q: %d groups, %d differ from the sorted rank", p, cond, groups, wrong)
			}
		}
	}
	// No value where the condition holds: 0, not NaN.
	var q float64
	if err := db.Conn().QueryRow(ctx, "SELECT "+quantileSQL(0.9, "toFloat64(number)", "number > 10")+" FROM numbers(5)").Scan(&q); err != nil || q != 0 {
		t.Errorf("empty: %v, %v", q, err)
	}
}
