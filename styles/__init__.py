"""The house style: briefing.html and briefing.css, installed as the package briefing.styles."""
