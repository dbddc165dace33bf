# Sources of the Claude provider (src/claude/), relative to src/.
set(MCQGEN_CLAUDE_SOURCES
  claude/batch_provider.cpp
  claude/claude_provider.cpp
  claude/error_mapping.cpp
  claude/messages.cpp
  claude/https_client.cpp
  claude/rate_limiter.cpp
  claude/retry_policy.cpp
  claude/url.cpp
)
