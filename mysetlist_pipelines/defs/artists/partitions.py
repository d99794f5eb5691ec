import dagster as dg

# One partition per artist; keys come from lib.artist_keys (readable, assigned once, never changed).
artists_partitions = dg.DynamicPartitionsDefinition(name="artists")
