"""The local HTTP API (optional ``http`` extra: FastAPI + uvicorn), imported only when served."""
