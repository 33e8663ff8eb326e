// Package model holds the shared vocabulary of globaloffice: sites, channels,
// contacts, cases, survey responses and targets. It has no I/O; every other
// package passes these records around.
package model
