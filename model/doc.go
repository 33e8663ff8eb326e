// Package model holds the shared vocabulary of globaloffice: sites, channels,
// contacts, cases, survey responses and targets, and sites' opening hours
// (hours.go). It has no I/O; every other
// package passes these records around.
package model
