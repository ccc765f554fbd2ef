"""The Qt layer: windows, panels, widgets, Qt models. The only place that builds widgets."""
