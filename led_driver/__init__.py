"""LED wall and text-strip controllers: pure renderers and output drivers."""
