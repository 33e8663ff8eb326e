package commands

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/auth"
	"globaloffice/model"
)

func (a *app) tokensCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "tokens", Short: "API bearer tokens: create (the secret is shown once), list, revoke"}
	var role, name, expires, by string
	var sites, sources []string
	create := &cobra.Command{
		Use:   "create --role admin|director|manager|collector",
		Short: "Create a token and print its secret, once (only its hash is stored)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			ttl, err := auth.ParseLifetime(expires)
			if err != nil {
				return fmt.Errorf("--expires: %w", err)
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			known, err := db.Sites(ctx)
			if err != nil {
				return err
			}
			for _, s := range sites {
				if !slices.ContainsFunc(known, func(k model.Site) bool { return k.ID == s }) {
					return fmt.Errorf("--site %q: unknown site (see globaloffice sites list)", s)
				}
			}
			t, secret, err := auth.NewToken(name, model.Role(role), sites, sources, a.who(by), time.Now(), ttl)
			if err != nil {
				return err
			}
			if err := db.PutToken(ctx, t); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "token %s (%s) created; its secret is shown once, keep it:\n", t.ID, t.Role)
			fmt.Fprintln(a.stdout, secret)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", "", "admin, director, manager or collector")
	create.Flags().StringSliceVar(&sites, "site", nil, "manager: a site it reads (at least one); collector: a site it may write for (repeatable)")
	create.Flags().StringSliceVar(&sources, "source", nil, "collector: a source it may write as (repeatable; default any)")
	create.Flags().StringVar(&name, "name", "", "what the token is for, shown in lists")
	create.Flags().StringVar(&expires, "expires", "", "lifetime, e.g. 90d or 12h (default: never)")
	create.Flags().StringVar(&by, "by", "", "who creates it (default $USER)")
	_ = create.MarkFlagRequired("role")

	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			ts, err := db.Tokens(cmd.Context())
			if err != nil {
				return err
			}
			now := time.Now()
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tSITES\tSOURCES\tCREATED\tBY\tEXPIRES\tSTATE")
			for _, t := range ts {
				state := "active"
				if err := auth.Active(t, now); err != nil {
					state = strings.TrimPrefix(err.Error(), "token ")
				}
				exp := "never"
				if !t.ExpiresAt.IsZero() {
					exp = t.ExpiresAt.Format(time.RFC3339)
				}
				name := t.Name
				if name == "" {
					name = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, name, t.Role, orAny(t.Sites), orAny(t.Sources),
					t.CreatedAt.Format(time.RFC3339), t.CreatedBy, exp, state)
			}
			return tw.Flush()
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token (servers refuse it within their refresh interval, 10 s)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			t, err := db.RevokeToken(cmd.Context(), args[0], time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "revoked %s (%s, %s) at %s\n", t.ID, t.Name, t.Role, t.RevokedAt.Format(time.RFC3339))
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func orAny(list []string) string {
	if len(list) == 0 {
		return "any"
	}
	return strings.Join(list, ",")
}
