// Command globaloffice is the one binary of the platform: the local
// ClickHouse, schema migrations, reference data, the collectors and their
// HTTP server, the indicator engine with targets and closings, the demo data
// and the benchmarks. Its commands live in package commands; main only wires
// the process's arguments, environment, streams and signals into
// commands.Run.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"globaloffice/cmd/globaloffice/commands"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := commands.Run(ctx, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
