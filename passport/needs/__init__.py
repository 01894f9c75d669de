"""The passport itself: needs and details, sealed with the passport's own key."""
