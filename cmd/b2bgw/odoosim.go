package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

func newOdooSimCmd() *cobra.Command {
	var addr, version string
	c := &cobra.Command{
		Use:   "odoo-sim [--addr 127.0.0.1:8069] [--version 18.0]",
		Short: "Run the Odoo simulator alone, seeded with demo data",
		Long: `odoo-sim runs b2bgw's Odoo simulator: an in-memory Odoo that speaks
XML-RPC, JSON-RPC and (19.0) JSON-2 with Odoo's wire format, seeded with
demo customers (ACME RETAIL, GLOBEX STORES), a vendor (NORTHWIND SUPPLY),
products SKU-1001 to SKU-1020 with barcodes and stock, vendor prices and a
confirmed purchase order. It prints the environment to point b2bgw at it
and runs until interrupted (SIGINT or SIGTERM); its data is lost then.

It is for local experiments and demos, never a stand-in for a real Odoo.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			sim, url, err := startSim(addr, version)
			if err != nil {
				return usageErr(err)
			}
			defer sim.Close()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			fmt.Printf("Odoo simulator %s listening at %s\n\n", sim.Version(), url)
			fmt.Printf("export %s=%s\nexport %s=%s\nexport %s=%s\nexport %s=%s\n\n",
				odoo.EnvURL, url, odoo.EnvDB, sim.DB(), odoo.EnvUser, "admin", odoo.EnvAPIKey, sim.AdminAPIKey())
			fmt.Printf("Demo customers: ACME RETAIL (GLN %s), GLOBEX STORES (GLN %s); vendor NORTHWIND SUPPLY (GLN %s).\n",
				odoosim.AcmeGLN, odoosim.GlobexGLN, odoosim.VendorGLN)
			fmt.Println("Press Ctrl-C to stop.")
			<-ctx.Done()
			fmt.Fprintln(os.Stderr, "odoo-sim: stopping")
			return nil
		},
	}
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8069", "address to listen on")
	c.Flags().StringVar(&version, "version", "18.0", "Odoo series to simulate: 16.0, 17.0, 18.0 or 19.0")
	return c
}
