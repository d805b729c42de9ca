"""checklists domain (检查表): versioned lists of check items, offered by industry."""
