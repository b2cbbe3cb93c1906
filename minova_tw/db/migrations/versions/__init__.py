"""The migrations, one file each, in revision order."""
