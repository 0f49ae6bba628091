# One web replica of the interview chat (deploy/compose.yaml runs two behind a balancer):
#     docker build -t interviewer .
#     docker run -p 7860:7860 -e INTERVIEWER_WEB_AUTH=USER:PASSWORD interviewer
FROM python:3.11-slim

WORKDIR /app
# The CPU build of torch, only to export the model to ONNX once below; an unpinned torch pulls CUDA.
RUN pip install --no-cache-dir torch==2.13.0
COPY pyproject.toml setup.py README.md ./
COPY interviewer interviewer
COPY corpus corpus
COPY prompts prompts
RUN pip install --no-cache-dir .

ENV HF_HUB_OFFLINE=1 \
    INTERVIEWER_CACHE_DIR=/var/cache/interviewer \
    INTERVIEWER_DATA_DIR=/var/lib/interviewer \
    INTERVIEWER_WEB_HOST=0.0.0.0 \
    INTERVIEWER_WEB_PORT=7860
# The model exported to ONNX and the bank's index built into the image: a replica starts in seconds.
RUN interviewer index

EXPOSE 7860
CMD ["interviewer", "web"]
