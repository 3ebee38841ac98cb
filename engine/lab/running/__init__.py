"""How a lab run is executed: the executor API, inline, stored replays, Ray, and the queues."""
