// Package bench measures globaloffice against ClickHouse's own tools on the
// same data in the same run, and prints ratios, so that results hold on a
// shared, noisy machine: only the ratio is compared with a goal.
package bench
