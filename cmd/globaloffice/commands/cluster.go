package commands

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/store/chcluster"
)

// clusterCommand runs a local replicated cluster to try clickhouse.cluster
// with: ZooKeeper and two replicas under home/cluster, by the test harness
// (store/chcluster).
func (a *app) clusterCommand() *cobra.Command {
	var replicas, zkPort, base int
	cluster := func() (*chcluster.Cluster, error) {
		c, err := chcluster.New(filepath.Join(a.cfg.Home, "cluster"), replicas, chcluster.FixedPorts(zkPort, base, replicas))
		if err != nil {
			return nil, err
		}
		for i := range c.Replicas {
			// Grafana's read-only user on every replica, as on the local server.
			c.Replicas[i].ReadOnlyUser, c.Replicas[i].ReadOnlyPassword = a.cfg.Grafana.User, a.cfg.Grafana.Password
		}
		return c, nil
	}
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Run a local replicated ClickHouse cluster (ZooKeeper and replicas of one shard) under home/cluster, to try clickhouse.cluster",
	}
	cmd.PersistentFlags().IntVar(&replicas, "replicas", 2, "replicas of the shard")
	cmd.PersistentFlags().IntVar(&zkPort, "zookeeper-port", 2191, "ZooKeeper's client port")
	cmd.PersistentFlags().IntVar(&base, "port-base", 19200, "replica i (from 1) listens on base+10i+1 (native), +2 (HTTP), +3 (interserver)")
	cmd.AddCommand(&cobra.Command{
		Use:   "start",
		Short: "Start ZooKeeper and the replicas unless they run, and wait until they answer",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := chcluster.Available(); err != nil {
				return err
			}
			c, err := cluster()
			if err != nil {
				return err
			}
			if err := c.Start(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "cluster %s: ZooKeeper %s, replicas", chcluster.Name, c.ZooKeeper.Addr())
			for i := range c.Replicas {
				fmt.Fprintf(a.stdout, " %s", c.Addr(i))
			}
			fmt.Fprintf(a.stdout, ", folder %s\ntry it with: GLOBALOFFICE_CLICKHOUSE_ADDR=%s GLOBALOFFICE_CLICKHOUSE_CLUSTER=%s globaloffice migrate\n", c.Dir, c.Addr(0), chcluster.Name)
			return nil
		},
	}, &cobra.Command{
		Use:   "stop",
		Short: "Stop the replicas, then ZooKeeper, started by start",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cluster()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			if err := c.Stop(ctx); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "cluster %s: stopped (folder %s)\n", chcluster.Name, c.Dir)
			return nil
		},
	}, &cobra.Command{
		Use:   "status",
		Short: "Tell whether ZooKeeper and each replica run and answer (exit 1 if one does not)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cluster()
			if err != nil {
				return err
			}
			down := false
			pid, serving := c.ZooKeeper.Running()
			switch {
			case serving:
				fmt.Fprintf(a.stdout, "zookeeper: running, pid %d, %s\n", pid, c.ZooKeeper.Addr())
			case pid != 0:
				fmt.Fprintf(a.stdout, "zookeeper: pid %d does not serve on %s\n", pid, c.ZooKeeper.Addr())
				down = true
			default:
				fmt.Fprintf(a.stdout, "zookeeper: not running (folder %s)\n", c.ZooKeeper.Dir)
				down = true
			}
			for i, r := range c.Replicas {
				st, err := r.Status(cmd.Context())
				if err != nil {
					fmt.Fprintf(a.stdout, "r%d: %v\n", i+1, err)
					down = true
					continue
				}
				fmt.Fprintf(a.stdout, "r%d: %s\n", i+1, st)
				down = down || !st.Running
			}
			if down {
				return errors.New("the cluster is not running whole")
			}
			return nil
		},
	})
	return cmd
}
