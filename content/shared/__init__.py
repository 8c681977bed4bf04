"""What every device shares with the service: the wire contract and its field readers, the words people
read, the MQTT transport, broker URLs, sending a command, YAML with line numbers. Imports nothing else of
`content`: it is the only part a kiosk or an LED controller may import (the import contract checks it)."""
