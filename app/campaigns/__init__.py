"""安全生产月 campaigns (专项活动): campaigns with a period and a reporting deadline, the activities
recorded in the field (training, drills, publicity, …), and each community's submission (报送)
of its summary, frozen once made."""
