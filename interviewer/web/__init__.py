"""The web chat: per-session state (sitting), its Markdown (render, export) and the Gradio app (app)."""
