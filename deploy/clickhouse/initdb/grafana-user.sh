#!/bin/bash
# Run once by the clickhouse/clickhouse-server image on an empty data
# volume (/docker-entrypoint-initdb.d): the read-only user of Grafana's
# data source. readonly = 2: no writes or DDL, but session settings are
# allowed (the plugin sends its query timeout as max_execution_time).
set -euo pipefail
: "${GRAFANA_CLICKHOUSE_USER:?}" "${GRAFANA_CLICKHOUSE_PASSWORD:?}" "${CLICKHOUSE_DB:?}"
pw=${GRAFANA_CLICKHOUSE_PASSWORD//\\/\\\\}
pw=${pw//\'/\\\'}
clickhouse client --user "${CLICKHOUSE_USER:-default}" --password "${CLICKHOUSE_PASSWORD:-}" --multiquery <<SQL
CREATE DATABASE IF NOT EXISTS ${CLICKHOUSE_DB};
CREATE USER IF NOT EXISTS ${GRAFANA_CLICKHOUSE_USER} IDENTIFIED BY '${pw}' SETTINGS readonly = 2;
GRANT SELECT ON ${CLICKHOUSE_DB}.* TO ${GRAFANA_CLICKHOUSE_USER};
SQL
