from layani_flow import create_app

app = create_app()
