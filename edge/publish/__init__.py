"""Where reads go: MQTT (QoS 1, retained status, last will, discovery) or stdout JSON lines."""
