"""``xieshang demo``: a month of 协商日 in a few minutes, watched in the sandbox's web chat.

community.py sets up the demo community from the shared roster, client.py plays residents over
the sandbox's user API, script.py is what they do in the month, runner.py paces the virtual
clock and ties it together.
"""
