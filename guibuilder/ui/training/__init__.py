"""The training panel: its settings form, the run it starts and stops, past runs and live plots."""
