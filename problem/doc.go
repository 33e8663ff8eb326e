// Package problem is what api and ingest share of HTTP: errors written as
// RFC 9457 problem details (application/problem+json: Write, WriteWith,
// NotFound), and Route, an endpoint a package serves, which it hands to the
// router so that api registers it under its own path without importing the
// package.
package problem
