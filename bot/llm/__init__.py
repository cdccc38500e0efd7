"""The model client, below the coaching package: coaches and evals call models through it.

`exchange` holds the light values that cross the boundary (history turns, streamed text, token
usage, the failure a caller falls back on) so that the coaching core can name them without
importing openai or langchain; `client` holds the chat model factory, structured output and the
model-call hook. This file imports neither, so `import bot.llm.exchange` stays cheap.
"""
