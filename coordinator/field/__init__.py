"""Field teams and their tasks."""
