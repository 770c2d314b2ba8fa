"""ETL: fetch, parse, sanity-check and publish public datasets into the Verifica store."""
