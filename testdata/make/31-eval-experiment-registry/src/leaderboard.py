"""leaderboard step."""
