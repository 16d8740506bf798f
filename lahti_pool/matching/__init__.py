"""The matching engine: pure rules, no Flask and no database."""
