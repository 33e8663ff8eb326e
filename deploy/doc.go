// Package deploy holds no code: its tests check the deployment files
// beside them — the Prometheus scrape configuration and alert rules
// (prometheus/, with promtool: check config, check rules and the rules'
// unit tests in prometheus/tests), and the stack of docker-compose.yml and
// ../Dockerfile against the configuration reference (package config),
// since no container engine runs where the tests do.
package deploy
